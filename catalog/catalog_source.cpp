#include "catalog/catalog_source.hpp"

#include <spdlog/spdlog.h>

#include <set>
#include <sstream>

#include "dns/ixfr.hpp"
#include "dns/rr_types.hpp"
#include "prober/axfr.hpp"
#include "prober/ixfr.hpp"
#include "zonediff/zone_diff.hpp"

namespace nswatch {

namespace {

/// The SOA's refresh and retry seconds, unset when the copy has no readable SOA.
std::optional<std::pair<uint32_t, uint32_t>> soa_timers(const std::vector<Record>& records) {
    for (const auto& r : records) {
        if (r.type != kTypeSoa) continue;
        std::istringstream in(r.rdata);
        std::string mname, rname;
        uint32_t serial = 0, refresh = 0, retry = 0;
        if (in >> mname >> rname >> serial >> refresh >> retry) return std::pair{refresh, retry};
    }
    return std::nullopt;
}

/// Up to 10 names for a log line, then how many more.
std::string some_names(const std::vector<std::string>& names) {
    std::string s;
    for (size_t i = 0; i < names.size() && i < 10; ++i) s += (i ? ", " : "") + names[i];
    if (names.size() > 10) s += " and " + std::to_string(names.size() - 10) + " more";
    return s;
}

double unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// The most records a catalog of max_members may have: a transfer past it is refused as it is
// read.
size_t record_cap(const CatalogSettings& s) {
    return static_cast<size_t>(s.max_members) * CatalogSource::kRecordsPerMember + 1000;
}

TransferSource transfer_source(const CatalogSettings& s, const std::optional<TsigKey>& key) {
    TransferSource src;
    src.server = s.server;
    src.port = s.port;
    src.key = key;
    src.source = s.source;
    src.timeout = s.timeout;
    return src;
}

// The catalog by AXFR, sorted as zone diffs keep copies, refused while it is read once it has
// more records than max_members could need.
std::vector<Record> axfr_capped(const CatalogSettings& s, const TransferSource& src,
                                std::optional<uint32_t>& serial) {
    const size_t cap = record_cap(s);
    std::vector<Record> records;
    transfer_zone(s.name, src, [&](Record&& r) {
        if (records.size() >= cap) {
            throw CatalogError("catalog " + s.name + " has more than " + std::to_string(cap) +
                               " records (zones_from.max_members " + std::to_string(s.max_members) +
                               "); not used");
        }
        if (r.type == kTypeSoa && !serial) serial = soa_serial(r);
        records.push_back(std::move(r));
    });
    sort_for_diff(records);
    return records;
}

}  // namespace

CatalogMetrics::CatalogMetrics()
    : registry(std::make_shared<prometheus::Registry>()),
      members(prometheus::BuildGauge()
                  .Name("nswatch_catalog_members")
                  .Help("Member zones of the catalog in its last good copy")
                  .Register(*registry)),
      serial(prometheus::BuildGauge()
                 .Name("nswatch_catalog_serial")
                 .Help("SOA serial of the catalog's last good copy")
                 .Register(*registry)),
      last_success(prometheus::BuildGauge()
                       .Name("nswatch_catalog_last_success_timestamp_seconds")
                       .Help("When the catalog was last transferred and read successfully")
                       .Register(*registry)),
      refreshes(prometheus::BuildCounter()
                    .Name("nswatch_catalog_refreshes_total")
                    .Help("Catalog transfers by result (ok, error)")
                    .Register(*registry)),
      member_info(prometheus::BuildGauge()
                      .Name("nswatch_catalog_member_info")
                      .Help("1 for each member zone of the catalog, with its group property")
                      .Register(*registry)) {}

std::vector<prometheus::MetricFamily> CatalogMetrics::Collect() const {
    std::vector<prometheus::MetricFamily> families = registry->Collect();
    std::erase_if(families, [](const prometheus::MetricFamily& f) { return f.metric.empty(); });
    return families;
}

CatalogSource::CatalogSource(CatalogSettings settings, std::optional<TsigKey> key,
                             std::function<void()> on_change,
                             std::shared_ptr<CatalogMetrics> metrics, const Clock& clock)
    : clock_(clock),
      on_change_(std::move(on_change)),
      name_(settings.name),
      metrics_(std::move(metrics)),
      settings_(std::move(settings)),
      key_(std::move(key)),
      schedule_(clock.steady()) {
    for (const char* result : {"ok", "error"}) {
        metrics_->refreshes.Add({{"catalog", name_}, {"result", result}});
    }
}

CatalogSource::~CatalogSource() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    // Add returns the series with these labels (made now if it never was), so each is removable.
    CatalogMetrics& m = *metrics_;
    const prometheus::Labels labels{{"catalog", name_}};
    m.members.Remove(&m.members.Add(labels));
    m.serial.Remove(&m.serial.Add(labels));
    m.last_success.Remove(&m.last_success.Add(labels));
    for (const char* result : {"ok", "error"}) {
        m.refreshes.Remove(&m.refreshes.Add({{"catalog", name_}, {"result", result}}));
    }
    for (const auto& member : members_) {
        m.member_info.Remove(&m.member_info.Add(
            {{"catalog", name_}, {"zone", member.zone}, {"group", member.group}}));
    }
}

void CatalogSource::start() {
    refresh();
    thread_ = std::thread([this] { loop(); });
}

void CatalogSource::start_in_background() {
    background_first_ = true;  // before the thread exists: it reads it from then on
    thread_ = std::thread([this] { loop(); });
}

void CatalogSource::notify() {
    {
        std::lock_guard lock(mu_);
        notified_ = true;
    }
    wake_.notify_all();
}

std::vector<CatalogMember> CatalogSource::members() const {
    std::lock_guard lock(mu_);
    return members_;
}

void CatalogSource::reconfigure(CatalogSettings settings, std::optional<TsigKey> key) {
    {
        std::lock_guard lock(mu_);
        const bool other_source = settings.name != settings_.name ||
                                  settings.server != settings_.server ||
                                  settings.port != settings_.port || key != key_;
        settings_ = std::move(settings);
        key_ = std::move(key);
        settings_changed_ = settings_changed_ || other_source;
    }
    wake_.notify_all();
}

void CatalogSource::loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
        if (notified_) {
            notified_ = false;
            schedule_.notified(clock_.steady());
        }
        if (settings_changed_) {
            settings_changed_ = false;
            copy_.reset();
            schedule_.notified(clock_.steady());
        }
        const auto now = clock_.steady();
        if (!schedule_.due(now)) {
            // Bounded, so a virtual or adjusted clock is read again at least every second.
            const auto wait = std::min<std::chrono::steady_clock::duration>(
                schedule_.next() - now, std::chrono::seconds(1));
            wake_.wait_for(lock, wait);
            continue;
        }
        lock.unlock();
        const bool changed = refresh();
        if (changed && on_change_) on_change_();
        lock.lock();
    }
}

CatalogSource::Copy CatalogSource::transfer(const CatalogSettings& s,
                                            const std::optional<TsigKey>& key,
                                            std::optional<Copy> cached, std::string& how) const {
    const TransferSource src = transfer_source(s, key);
    if (cached && cached->serial) {
        try {
            IxfrReader reader(*cached->serial);
            // The same bound as an AXFR's; past it the AXFR below refuses the catalog by name.
            reader.set_record_limit(record_cap(s));
            request_ixfr(s.name, src, reader);
            Copy c = std::move(*cached);
            if (reader.shape() == IxfrShape::incremental) {
                apply_ixfr(c.records, reader);
            } else if (reader.shape() != IxfrShape::up_to_date) {
                c.records = std::move(reader.full_records());
                sort_for_diff(c.records);
            }
            c.serial = reader.new_serial();
            how = std::string(to_string(reader.shape()));
            return c;
        } catch (const std::exception& e) {
            spdlog::info("catalog {}: IXFR failed ({}); transferring it whole", s.name, e.what());
        }
    }
    Copy c;
    c.records = axfr_capped(s, src, c.serial);
    how = "axfr";
    return c;
}

std::vector<CatalogMember> CatalogSource::members_once(const CatalogSettings& s,
                                                       const std::optional<TsigKey>& key) {
    const TransferSource src = transfer_source(s, key);
    std::optional<uint32_t> serial;
    const std::vector<Record> records = axfr_capped(s, src, serial);
    CatalogContent content = read_catalog(s.name, records, s.max_members);
    for (const auto& p : content.problems) spdlog::warn("catalog {}: {}", s.name, p);
    return std::move(content.members);
}

bool CatalogSource::refresh() {
    CatalogSettings s;
    std::optional<TsigKey> key;
    {
        std::lock_guard lock(mu_);
        s = settings_;
        key = key_;
    }
    const auto now = clock_.steady();
    schedule_.started(now);
    try {
        std::string how;
        Copy next = transfer(s, key, std::move(copy_), how);
        copy_.reset();
        CatalogContent content = read_catalog(s.name, next.records, s.max_members);
        for (const auto& p : content.problems) spdlog::warn("catalog {}: {}", s.name, p);
        const auto timers = soa_timers(next.records);
        schedule_.succeeded(clock_.steady(), timers ? timers->first : 0,
                            timers ? timers->second : 0);
        const size_t count = content.members.size();
        if (next.serial) metrics_->serial.Add({{"catalog", name_}}).Set(*next.serial);
        copy_ = std::move(next);
        metrics_->refreshes.Add({{"catalog", name_}, {"result", "ok"}}).Increment();
        metrics_->last_success.Add({{"catalog", name_}}).Set(unix_seconds(clock_.wall()));
        metrics_->members.Add({{"catalog", name_}}).Set(static_cast<double>(count));
        spdlog::info("catalog {}: serial {} by {}: {} members (version {})", s.name,
                     copy_->serial ? std::to_string(*copy_->serial) : "?", how, count,
                     content.version);
        if (background_first_) {
            background_first_ = false;
            spdlog::info(
                "catalog {}: transferred in the background; its {} members are added "
                "as a change of the member list",
                s.name, count);
        }
        std::lock_guard lock(mu_);
        const bool changed = content.members != members_;
        if (changed) set_members(std::move(content));
        return changed;
    } catch (const std::exception& e) {
        // copy_ was moved into the failed transfer: the next one is an AXFR.
        copy_.reset();
        schedule_.failed(clock_.steady());
        metrics_->refreshes.Add({{"catalog", name_}, {"result", "error"}}).Increment();
        const auto next_try =
            std::chrono::duration_cast<std::chrono::seconds>(schedule_.next() - clock_.steady())
                .count();
        if (background_first_) {
            spdlog::error(
                "catalog {}: background transfer failed: {}; followed without members until a "
                "transfer succeeds, next try in {} s",
                s.name, e.what(), next_try);
        } else {
            spdlog::error(
                "catalog {}: {}; keeping the last good member list ({} zones), next try in {} s",
                s.name, e.what(), members().size(), next_try);
        }
        return false;
    }
}

void CatalogSource::set_members(CatalogContent content) {
    // Called under mu_.
    std::map<std::string, const CatalogMember*> before, after;
    for (const auto& m : members_) before.emplace(m.zone, &m);
    for (const auto& m : content.members) after.emplace(m.zone, &m);
    std::vector<std::string> added, removed, regrouped;
    for (const auto& [zone, m] : after) {
        auto it = before.find(zone);
        if (it == before.end()) {
            added.push_back(zone);
        } else if (it->second->group != m->group) {
            regrouped.push_back(zone + " (" + it->second->group + " -> " + m->group + ")");
        }
    }
    for (const auto& [zone, m] : before) {
        if (!after.contains(zone)) removed.push_back(zone);
    }
    const std::string& name = name_;
    if (!added.empty()) spdlog::info("catalog {}: added {}", name, some_names(added));
    if (!removed.empty()) spdlog::info("catalog {}: removed {}", name, some_names(removed));
    if (!regrouped.empty()) spdlog::info("catalog {}: group of {}", name, some_names(regrouped));
    for (const auto& m : members_) {
        metrics_->member_info.Remove(
            &metrics_->member_info.Add({{"catalog", name}, {"zone", m.zone}, {"group", m.group}}));
    }
    for (const auto& m : content.members) {
        metrics_->member_info.Add({{"catalog", name}, {"zone", m.zone}, {"group", m.group}}).Set(1);
    }
    members_ = std::move(content.members);
}

}  // namespace nswatch
