// zones_from.catalog in the daemon: the catalog source starts before the monitor (its members are
// in the monitor's first config), and a change of its member list is applied as a reload is: the
// config file is read again and the catalog's members added, so zones that stay keep their state.
#include <spdlog/spdlog.h>

#include "catalog/catalog_members.hpp"
#include "catalog/catalog_source.hpp"
#include "config/shard.hpp"
#include "daemon/daemon.hpp"

namespace nswatch {

namespace {

std::optional<TsigKey> catalog_key(const Config& c) {
    if (c.inventory.catalog.key.empty()) return std::nullopt;
    const TsigKey* k = c.find_key(c.inventory.catalog.key);
    return k != nullptr ? std::optional<TsigKey>(*k) : std::nullopt;
}

void log_merge(const Config& c, const MemberMerge& m) {
    spdlog::info("catalog {}: {} member zones watched{}{}", c.inventory.catalog.name, m.added,
                 m.other_shard > 0 ? ", " + std::to_string(m.other_shard) + " of other shards"
                                   : std::string(),
                 m.in_file > 0 ? ", " + std::to_string(m.in_file) +
                                     " listed in the file too (the file's settings apply)"
                               : std::string());
}

}  // namespace

void Daemon::start_catalog() {
    if (config_.inventory.catalog.name.empty()) return;
    // The monitor's thread applies the change between two passes, as a SIGHUP's.
    catalog_ = std::make_unique<CatalogSource>(config_.inventory.catalog, catalog_key(config_),
                                               [&reload = reload_] { reload = true; });
    catalog_->start();
    log_merge(config_, add_catalog_members(config_, catalog_->members()));
}

void Daemon::add_catalog(Config& c) const {
    if (!catalog_) {
        if (!c.inventory.catalog.name.empty()) {
            spdlog::warn("catalog {}: adding a catalog needs a restart; not followed",
                         c.inventory.catalog.name);
        }
        return;
    }
    if (c.inventory.catalog.name.empty()) {
        spdlog::warn("catalog: removing the catalog needs a restart; its members stay watched");
        c.inventory.catalog = config_.inventory.catalog;
    }
    catalog_->reconfigure(c.inventory.catalog, catalog_key(c));
    log_merge(c, add_catalog_members(c, catalog_->members()));
}

}  // namespace nswatch
