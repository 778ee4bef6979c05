// The catalogs of zones_from in the daemon: each catalog entry has a catalog source, started
// before the monitor with its first transfer (its members are in the monitor's first config). A
// reload (SIGHUP, a change of a catalog's member list) reads the config file again and then
// matches the sources to its catalog entries by name (sync_catalogs): a catalog no longer listed
// is stopped; one that stays takes its new settings (a new server, port or key: transferred
// afresh on its own thread); a new one is started with its first transfer on its own thread, so
// the reload applies at once without its members and they come with the reload its on_change
// asks for, like any change of a member list. The members of every catalog are then added, so
// zones that stay keep their state and a removed catalog's members go unless the file or another
// catalog lists them.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>

#include "catalog/catalog_members.hpp"
#include "catalog/catalog_source.hpp"
#include "config/shard.hpp"
#include "daemon/daemon.hpp"

namespace nswatch {

namespace {

std::optional<TsigKey> catalog_key(const Config& c, const CatalogSettings& s) {
    if (s.key.empty()) return std::nullopt;
    const TsigKey* k = c.find_key(s.key);
    return k != nullptr ? std::optional<TsigKey>(*k) : std::nullopt;
}

}  // namespace

std::unique_ptr<CatalogSource> Daemon::make_catalog_source(const Config& c,
                                                           const CatalogSettings& s) const {
    // The monitor's thread applies a change between two passes, as a SIGHUP's.
    return std::make_unique<CatalogSource>(
        s, catalog_key(c, s), [&reload = reload_] { reload = true; }, catalog_metrics_);
}

void Daemon::start_catalog() {
    catalog_metrics_ = std::make_shared<CatalogMetrics>();
    for (const auto& s : config_.inventory.catalogs) {
        auto source = make_catalog_source(config_, s);
        source->start();
        std::lock_guard lock(catalogs_mu_);
        catalogs_.push_back(std::move(source));
    }
    merge_catalog_members(config_);
}

bool Daemon::notify_catalog(const std::string& zone) {
    std::lock_guard lock(catalogs_mu_);
    for (const auto& c : catalogs_) {
        if (c->name() == zone) {
            c->notify();
            return true;
        }
    }
    return false;
}

void Daemon::sync_catalogs(Config& c) {
    std::vector<std::unique_ptr<CatalogSource>> stopped;
    std::vector<const CatalogSettings*> started;
    {
        std::lock_guard lock(catalogs_mu_);
        for (auto& source : catalogs_) {
            const CatalogSettings* s = c.inventory.find_catalog(source->name());
            if (s == nullptr) {
                stopped.push_back(std::move(source));
            } else {
                source->reconfigure(*s, catalog_key(c, *s));
            }
        }
        std::erase(catalogs_, nullptr);
        for (const auto& s : c.inventory.catalogs) {
            const bool running = std::any_of(catalogs_.begin(), catalogs_.end(),
                                             [&](const auto& x) { return x->name() == s.name; });
            if (!running) started.push_back(&s);
        }
    }
    // Outside the lock: a NOTIFY is not held up by a transfer that ends or starts.
    for (auto& source : stopped) {
        spdlog::info("catalog {}: no longer in zones_from; stopped, its members go",
                     source->name());
        source.reset();
    }
    for (const CatalogSettings* s : started) {
        spdlog::info("catalog {}: new in zones_from; transferring it in the background", s->name);
        auto source = make_catalog_source(c, *s);
        source->start_in_background();
        std::lock_guard lock(catalogs_mu_);
        catalogs_.push_back(std::move(source));
    }
    merge_catalog_members(c);
}

void Daemon::merge_catalog_members(Config& c) {
    std::vector<std::vector<CatalogMember>> members;
    {
        std::lock_guard lock(catalogs_mu_);
        for (const auto& s : c.inventory.catalogs) {
            const auto it = std::find_if(catalogs_.begin(), catalogs_.end(),
                                         [&](const auto& x) { return x->name() == s.name; });
            members.push_back(it != catalogs_.end() ? (*it)->members()
                                                    : std::vector<CatalogMember>{});
        }
    }
    const std::vector<MemberMerge> merged = add_catalog_members(c, members);
    for (size_t i = 0; i < merged.size(); ++i) {
        const MemberMerge& m = merged[i];
        spdlog::info("catalog {}: {} member zones watched{}{}{}", c.inventory.catalogs[i].name,
                     m.added,
                     m.other_shard > 0 ? ", " + std::to_string(m.other_shard) + " of other shards"
                                       : std::string(),
                     m.in_file > 0 ? ", " + std::to_string(m.in_file) +
                                         " listed in the file too (the file's settings apply)"
                                   : std::string(),
                     m.in_earlier_catalog.empty()
                         ? std::string()
                         : ", " + std::to_string(m.in_earlier_catalog.size()) +
                               " listed by an earlier catalog too (its settings apply)");
        for (const SharedMember& shared : m.in_earlier_catalog) {
            // Once per zone and pair of catalogs, not at every reload.
            if (!shared_logged_.insert(shared.zone + ' ' + shared.kept + ' ' + shared.skipped)
                     .second) {
                continue;
            }
            spdlog::warn("zone {}: listed by catalogs {} and {}; watched as a member of {}",
                         shared.zone, shared.kept, shared.skipped, shared.kept);
        }
    }
}

}  // namespace nswatch
