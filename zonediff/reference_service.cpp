#include "zonediff/reference_service.hpp"

#include <spdlog/spdlog.h>
#include <time.h>

#include <algorithm>
#include <deque>
#include <set>

#include "config/names.hpp"
#include "dns/rr_types.hpp"
#include "prober/axfr.hpp"

namespace nswatch {

namespace {

using SteadyClock = std::chrono::steady_clock;

std::string source_text(const ReferenceSettings& r) {
    if (!r.file.empty()) return r.file;
    return "primary " + r.primary.server +
           (r.primary.port == 53 ? "" : "#" + std::to_string(r.primary.port));
}

/// The zone's UDP targets at the default vantage, one per (provider, nameserver, address).
std::vector<Target> targets_of(const ZoneState& z, const std::string& vantage) {
    std::vector<Target> out;
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (const auto& t : z.targets) {
        if (t.target.transport != Transport::udp || t.target.vantage.str() != vantage) continue;
        Target full = t.target.full();
        if (seen.emplace(full.provider, full.nameserver, full.address).second) {
            out.push_back(std::move(full));
        }
    }
    return out;
}

/// The snapshot's zones by name: a round looks up every zone with a reference, and a scan per
/// zone is quadratic in the zones.
std::map<std::string_view, const ZoneState*> zones_by_name(const SnapshotPtr& snap) {
    std::map<std::string_view, const ZoneState*> out;
    if (!snap) return out;
    for (const auto& z : snap->zones) out.emplace(z.zone, &z);
    return out;
}

}  // namespace

bool ReferenceService::wanted(const Config& config) {
    return std::any_of(config.zones.begin(), config.zones.end(),
                       [](const ZoneConfig& z) { return z.reference.has_value(); });
}

ReferenceService::ReferenceService(Config config, std::function<SnapshotPtr()> snapshot)
    : config_(std::move(config)),
      snapshot_(std::move(snapshot)),
      registry_(std::make_shared<prometheus::Registry>()),
      checked_(prometheus::BuildCounter()
                   .Name("nswatch_reference_rrsets_checked_total")
                   .Help("Answers to reference questions judged (RRsets and negative questions), "
                         "per zone, provider and vantage")
                   .Register(*registry_)),
      differing_(prometheus::BuildGauge()
                     .Name("nswatch_reference_rrsets_differing")
                     .Help("Reference questions the provider answers differently from the "
                           "zone's reference (zone_drift), as of its newest answer to each")
                     .Register(*registry_)),
      rrsets_(prometheus::BuildGauge()
                  .Name("nswatch_reference_rrsets")
                  .Help("RRsets in the zone's reference, each asked of every provider within "
                        "`every`")
                  .Register(*registry_)) {
    refresh_references(true, SteadyClock::now());
    thread_ = std::thread([this] { loop(); });
}

ReferenceService::~ReferenceService() {
    inbox_.stop();
    if (thread_.joinable()) thread_.join();
}

std::vector<ZoneDriftResult> ReferenceService::results() const {
    std::lock_guard lock(mutex_);
    return results_;
}

uint64_t ReferenceService::rounds() const {
    std::lock_guard lock(mutex_);
    return rounds_;
}

void ReferenceService::reconfigure(Config config) {
    inbox_.put_config(std::move(config));
}

bool ReferenceService::take_config() {
    auto c = inbox_.take_config();
    if (!c) return false;
    config_ = std::move(*c);
    return true;
}

void ReferenceService::refresh_references(bool initial, SteadyClock::time_point now) {
    std::vector<std::string> names;
    for (const auto& z : config_.zones) {
        if (!z.reference) continue;
        names.push_back(z.name);
        const ReferenceSettings& r = *z.reference;
        const auto loaded = loaded_settings_.find(z.name);
        const bool same_settings = loaded != loaded_settings_.end() && loaded->second == r;
        const std::string source = source_text(r);
        try {
            if (!r.file.empty()) {
                const auto mtime = std::filesystem::last_write_time(r.file);
                if (same_settings && file_times_[z.name] == mtime) continue;
                // A file that failed to read is read again (and its error logged again) only
                // once it or the zone's settings change: its error stays shown meanwhile.
                if (auto f = failed_files_.find(z.name); f != failed_files_.end() &&
                                                         f->second.settings == r &&
                                                         f->second.mtime == mtime) {
                    continue;
                }
                try {
                    auto ref =
                        std::make_shared<const ReferenceZone>(read_reference_file(z.name, r.file));
                    spdlog::info("reference: {}: {} RRsets from {} (serial {})", z.name,
                                 ref->rrset_count(), r.file, ref->serial());
                    checker_.set_reference(z.name, std::move(ref), r, config_.probe.interval,
                                           source);
                } catch (const std::exception&) {
                    if (!initial) failed_files_[z.name] = FailedFile{r, mtime};
                    throw;
                }
                failed_files_.erase(z.name);
                file_times_[z.name] = mtime;
                loaded_settings_[z.name] = r;
                continue;
            }
            // A hidden primary's zone: transferred by the rounds (never on the start-up path),
            // again when run_round saw its serial move (and dropped loaded_settings_).
            if (initial || (same_settings && checker_.reference(z.name))) continue;
            Retry& retry = retries_[z.name];
            if (!(retry.settings == r)) retry = Retry{r, {}};
            if (!retry.state.due(now)) continue;  // the error set at the failure stays shown
            TransferSource src;
            src.server = r.primary.server;
            src.port = r.primary.port;
            src.source = r.primary.source;
            src.timeout = std::chrono::seconds(10);
            if (!r.primary.key.empty()) {
                if (const TsigKey* k = config_.find_key(r.primary.key)) src.key = *k;
            }
            std::vector<Record> records;
            transfer_zone(z.name, src, [&](Record&& rec) { records.push_back(std::move(rec)); });
            auto ref = std::make_shared<const ReferenceZone>(z.name, records);
            spdlog::info("reference: {}: {} RRsets transferred from {} (serial {})", z.name,
                         ref->rrset_count(), source, ref->serial());
            checker_.set_reference(z.name, std::move(ref), r, config_.probe.interval, source);
            loaded_settings_[z.name] = r;
            retry.state.succeeded();
        } catch (const std::exception& e) {
            if (initial) throw std::runtime_error("reference of " + z.name + ": " + e.what());
            std::string error = e.what();
            if (r.file.empty()) {
                TransferRetry& retry = retries_[z.name].state;
                const auto interval = config_.probe.interval;
                const auto next =
                    retry.failed(now, interval, transfer_retry_cap(interval, r.every));
                // The wait is kept on the steady clock; `status` shows it as wall-clock time.
                const auto wall = std::chrono::system_clock::now() +
                                  std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                      next - SteadyClock::now());
                error = transfer_retry_text(error, retry.failures(), wall);
            }
            spdlog::error("reference: {}: {}", z.name, error);
            checker_.set_error(z.name, error, source);
        }
    }
    std::erase_if(retries_, [&](const auto& kv) {
        return std::find(names.begin(), names.end(), kv.first) == names.end();
    });
    checker_.keep_only(names);
    std::erase_if(loaded_settings_, [&](const auto& kv) {
        return std::find(names.begin(), names.end(), kv.first) == names.end();
    });
    std::erase_if(failed_files_, [&](const auto& kv) {
        return std::find(names.begin(), names.end(), kv.first) == names.end();
    });
}

namespace {

/// CPU time of the calling thread, for the round's debug line.
double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

void ReferenceService::run_round(SteadyClock::time_point now) {
    const SnapshotPtr snap = snapshot_();
    const std::string vantage = config_.get_default_vantage().name;
    if (!engine_ || engine_->vantages().front().name != vantage) {
        engine_ =
            std::make_unique<ProbeEngine>(std::vector<Vantage>{config_.get_default_vantage()});
    }
    engine_->set_max_in_flight(static_cast<size_t>(std::max(1, config_.probe.max_in_flight)));

    // Hidden primaries: their SOA serial, to transfer again when it moved.
    std::vector<ProbeRequest> soa;
    for (const auto& z : config_.zones) {
        if (!z.reference || z.reference->primary.server.empty()) continue;
        ProbeRequest r;
        r.target.zone = z.name;
        r.target.nameserver = "reference-primary";
        r.target.address = z.reference->primary.server;
        r.target.family =
            r.target.address.find(':') == std::string::npos ? Family::ipv4 : Family::ipv6;
        r.target.port = z.reference->primary.port;
        r.target.provider = "reference-primary";
        r.target.vantage = vantage;
        r.query.name = z.name;
        r.query.type = kTypeSoa;
        r.timeout = config_.probe.timeout;
        soa.push_back(std::move(r));
    }
    for (const auto& res : engine_->run_batch(soa)) {
        const auto current = checker_.reference(res.target.zone);
        if (current && res.soa && res.soa->serial == current->serial()) continue;
        if (current && !res.soa) continue;        // primary unreachable: keep the reference we have
        loaded_settings_.erase(res.target.zone);  // forces the transfer below
    }
    refresh_references(false, now);

    // The zones' questions go to the engine a zone at a time, once they fit under max_in_flight
    // beside the probes already out: the whole round at once (76,000 requests at 1,000 zones of
    // 1,000 records) would be tens of MB of queued requests, allocated from cold heap and freed
    // (and trimmed) every round, and a request that waits in the engine's queue is moved in and
    // out of it. Each result goes back with its zone and ticket; the callbacks capture two
    // pointers (into `slots`, a deque, so they stay put), small enough for std::function to keep
    // without an allocation per question.
    struct Slot {
        const std::string* zone;
        size_t ticket;
    };
    std::deque<Slot> slots;
    const size_t in_flight = static_cast<size_t>(std::max(1, config_.probe.max_in_flight));
    const auto zones = zones_by_name(snap);
    const uint64_t unchanged_before = checker_.unchanged_answers();
    const auto started = SteadyClock::now();
    const double cpu_before = thread_cpu_ms();
    // One buffer for every zone's requests (each is moved to the engine).
    std::vector<ProbeRequest> requests;
    for (const auto& z : config_.zones) {
        if (!z.reference) continue;
        const auto state = zones.find(z.name);
        if (state == zones.end()) continue;
        checker_.start_round(z.name, targets_of(*state->second, vantage), config_.probe, requests);
        // A zone with more questions than max_in_flight goes once nothing else is out (the
        // engine's queue then holds the rest).
        while (engine_->outstanding() > 0 && engine_->outstanding() + requests.size() > in_flight) {
            engine_->run_once(std::chrono::milliseconds(100));
        }
        for (size_t i = 0; i < requests.size(); ++i) {
            const Slot* slot = &slots.emplace_back(Slot{&z.name, i});
            engine_->submit(std::move(requests[i]),
                            [checker = &checker_, slot](const ProbeResult& r) {
                                checker->absorb(*slot->zone, slot->ticket, r);
                            });
        }
    }
    engine_->run_until_idle();
    spdlog::debug(
        "reference: {} questions in {:.0f} ms ({:.0f} ms of CPU), {} answers the same as the last "
        "right one",
        slots.size(),
        std::chrono::duration<double, std::milli>(SteadyClock::now() - started).count(),
        thread_cpu_ms() - cpu_before, checker_.unchanged_answers() - unchanged_before);
    auto results = checker_.results();
    record_metrics(results);
    std::lock_guard lock(mutex_);
    results_ = std::move(results);
    ++rounds_;
}

void ReferenceService::record_metrics(const std::vector<ZoneDriftResult>& results) {
    const std::string vantage = config_.get_default_vantage().name;
    for (const auto& z : results) {
        prometheus::Gauge*& rrsets = rrsets_exported_[z.zone];
        if (rrsets == nullptr) rrsets = &rrsets_.Add({{"zone", z.zone}});
        rrsets->Set(static_cast<double>(z.rrsets));
        for (const auto& p : z.providers) {
            Exported& x = exported_[{z.zone, p.provider}];
            if (x.checked == nullptr || x.vantage != vantage) {
                x.vantage = vantage;
                const prometheus::Labels labels{
                    {"zone", z.zone}, {"provider", p.provider}, {"vantage", vantage}};
                x.checked = &checked_.Add(labels);
                x.differing = &differing_.Add(labels);
            }
            if (p.checked < x.counted) x.counted = 0;  // the provider was forgotten and came back
            if (p.checked > x.counted) {
                x.checked->Increment(static_cast<double>(p.checked - x.counted));
                x.counted = p.checked;
            }
            x.differing->Set(static_cast<double>(p.drifts.size()));
        }
    }
}

void ReferenceService::loop() {
    auto next = SteadyClock::now();
    while (true) {
        if (inbox_.wait_until(next)) return;
        if (take_config()) {
            try {
                refresh_references(false, SteadyClock::now());
            } catch (const std::exception& e) {
                spdlog::error("reference: {}", e.what());
            }
            if (next > SteadyClock::now()) continue;
        }
        const auto started = SteadyClock::now();
        // The first rounds wait for the monitor to know each zone's nameservers.
        const SnapshotPtr snap = snapshot_();
        const bool ready =
            snap && std::any_of(snap->zones.begin(), snap->zones.end(),
                                [](const ZoneState& z) { return !z.targets.empty(); });
        if (!ready) {
            next = started + std::chrono::seconds(1);
            continue;
        }
        try {
            run_round(started);
        } catch (const std::exception& e) {
            spdlog::error("reference: round failed: {}", e.what());
        }
        next = started + config_.probe.interval;
    }
}

}  // namespace nswatch
