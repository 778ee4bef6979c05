#include "zonediff/diff_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "zonediff/diff_plan.hpp"
#include "zonediff/zone_copy.hpp"

namespace nswatch {

namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// How long the first run waits for the monitor to have probed every zone.
constexpr auto kReadyWait = 60s;

}  // namespace

DiffService::DiffService(Config config, std::function<SnapshotPtr()> snapshot)
    : config_(std::move(config)),
      snapshot_(std::move(snapshot)),
      registry_(std::make_shared<prometheus::Registry>()),
      differences_(prometheus::BuildGauge()
                       .Name("nswatch_zone_diff_differences")
                       .Help("RRsets that differ between provider_b's copy of the zone and "
                             "provider_a's (the reference) at the newest scheduled diff")
                       .Register(*registry_)),
      runs_(prometheus::BuildCounter()
                .Name("nswatch_zone_diff_runs_total")
                .Help("Scheduled zone diffs by outcome: equal, differ, error (a transfer failed)")
                .Register(*registry_)),
      transfers_(prometheus::BuildCounter()
                     .Name("nswatch_zone_diff_transfers_total")
                     .Help("Copies fetched for the scheduled diff, by how: axfr (whole zone), "
                           "ixfr (differences applied), current (IXFR: no change), ixfr_full "
                           "(IXFR answered with the whole zone)")
                     .Register(*registry_)) {
    thread_ = std::thread([this] { loop(); });
}

DiffService::~DiffService() {
    inbox_.stop();
    if (thread_.joinable()) thread_.join();
}

std::vector<ZoneDiffResult> DiffService::results() const {
    std::lock_guard lock(mutex_);
    std::vector<ZoneDiffResult> out;
    out.reserve(results_.size());
    for (const auto& [_, r] : results_) out.push_back(r);
    return out;
}

void DiffService::reconfigure(Config config) {
    inbox_.put_config(std::move(config));
}

bool DiffService::take_config() {
    auto c = inbox_.take_config();
    if (!c) return false;
    config_ = std::move(*c);
    // Copies of zones or providers no longer configured, or any when IXFR is off, go.
    std::set<std::pair<std::string, std::string>> wanted;
    if (config_.diff.ixfr) {
        for (const auto& z : config_.zones) {
            for (const auto& t : config_.transfers) wanted.emplace(z.name, t.provider);
        }
    }
    std::erase_if(copies_, [&](const auto& kv) { return !wanted.contains(kv.first); });
    skipped_.clear();
    spdlog::info("diff: reloaded: every {} s, {} providers with transfer: settings, {} copies kept",
                 std::chrono::duration<double>(config_.diff.interval).count(),
                 config_.transfers.size(), copies_.size());
    return true;
}

void DiffService::loop() {
    const auto started = SteadyClock::now();
    auto next = started;
    auto last_end = started;
    while (true) {
        if (inbox_.wait_until(next)) return;
        if (take_config()) {
            // The new interval counts from the last run's end; a shorter one may be due now.
            next = last_end + config_.diff.interval;
            if (next > SteadyClock::now()) continue;
        }
        bool ran = false;
        try {
            ran = run_once(SteadyClock::now() - started < kReadyWait);
        } catch (const std::exception& e) {
            spdlog::error("diff: {}", e.what());
            ran = true;
        }
        // Measured from the run's end: a run slower than the interval never piles up.
        last_end = SteadyClock::now();
        next = last_end + (ran ? config_.diff.interval : std::chrono::milliseconds(1s));
    }
}

bool DiffService::run_once(bool wait_for_rounds) {
    const SnapshotPtr snap = snapshot_();
    if (!snap) return !wait_for_rounds;
    if (wait_for_rounds) {
        for (const auto& z : snap->zones) {
            if (z.rounds == 0) return false;
        }
    }
    for (const auto& zone : config_.zones) {
        const auto it = std::find_if(snap->zones.begin(), snap->zones.end(),
                                     [&](const ZoneState& z) { return z.zone == zone.name; });
        if (it == snap->zones.end()) continue;
        const auto providers = providers_to_diff(config_.transfers, *it);
        if (providers.size() < 2) {
            if (skipped_.insert(zone.name).second) {
                spdlog::info(
                    "diff: {}: not compared: {} of its providers have transfer: settings "
                    "(two are needed)",
                    zone.name, providers.size());
            }
            continue;
        }
        skipped_.erase(zone.name);
        if (inbox_.stopping()) return true;
        std::optional<ZoneDiffResult> previous;
        {
            std::lock_guard lock(mutex_);
            if (auto r = results_.find(zone.name); r != results_.end()) previous = r->second;
        }
        record(diff_zone(zone.name, providers, previous ? &*previous : nullptr));
    }
    return true;
}

ZoneCopy DiffService::refresh(const std::string& zone, const ProviderTransfer& p) {
    const auto key = std::make_pair(zone, p.provider);
    std::optional<ZoneCopy> cached;
    if (auto it = copies_.find(key); it != copies_.end()) {
        cached = std::move(it->second);
        copies_.erase(it);
    }
    ZoneCopyRefresh r = refresh_zone_copy(zone, p, config_, config_.diff.timeout,
                                          config_.diff.ixfr ? std::move(cached) : std::nullopt);
    transfers_.Add({{"zone", zone}, {"provider", p.provider}, {"transfer", r.transfer}})
        .Increment();
    if (!r.fallback.empty()) {
        // A provider without IXFR says so every run: once at info, then at debug.
        if (no_ixfr_.insert(key).second) {
            spdlog::info("diff: {}: IXFR not used, AXFR instead: {}", zone, r.fallback);
        } else {
            spdlog::debug("diff: {}: IXFR not used, AXFR instead: {}", zone, r.fallback);
        }
    } else if (r.transfer != "axfr") {
        no_ixfr_.erase(key);
    }
    spdlog::debug("diff: {} from {}: {} to serial {} ({} records)", zone, p.provider, r.transfer,
                  r.copy.serial ? std::to_string(*r.copy.serial) : "?", r.copy.records.size());
    return std::move(r.copy);
}

ZoneDiffResult DiffService::diff_zone(const std::string& zone,
                                      const std::vector<const ProviderTransfer*>& providers,
                                      const ZoneDiffResult* previous) {
    ZoneDiffResult result;
    result.zone = zone;
    const ProviderTransfer& ref_p = *providers.front();
    std::optional<ZoneCopy> ref;
    std::string ref_error;
    try {
        ref = refresh(zone, ref_p);
    } catch (const std::exception& e) {
        ref_error = ref_p.provider + ": " + e.what();
    }
    for (size_t i = 1; i < providers.size(); ++i) {
        const ProviderTransfer& p = *providers[i];
        if (!ref) {
            result.pairs.push_back(failed_pair(ref_p.provider, p.provider, ref_error, previous));
            continue;
        }
        try {
            ZoneCopy other = refresh(zone, p);
            result.pairs.push_back(compared_pair(ref->provider, ref->serial, other.provider,
                                                 other.serial,
                                                 diff_sorted(ref->records, other.records)));
            if (config_.diff.ixfr) copies_[{zone, p.provider}] = std::move(other);
        } catch (const std::exception& e) {
            result.pairs.push_back(
                failed_pair(ref_p.provider, p.provider, p.provider + ": " + e.what(), previous));
        }
    }
    if (ref && config_.diff.ixfr) copies_[{zone, ref_p.provider}] = std::move(*ref);
    result.finished = std::chrono::system_clock::now();
    return result;
}

void DiffService::record(const ZoneDiffResult& result) {
    const std::string outcome = run_outcome(result);
    runs_.Add({{"zone", result.zone}, {"outcome", outcome}}).Increment();
    for (const auto& p : result.pairs) {
        if (!p.compared) continue;
        differences_
            .Add(
                {{"zone", result.zone}, {"provider_a", p.provider_a}, {"provider_b", p.provider_b}})
            .Set(static_cast<double>(p.rrsets));
    }
    if (outcome == "equal") {
        spdlog::info("diff: {}", describe_run(result));
    } else {
        spdlog::warn("diff: {}", describe_run(result));
    }
    std::lock_guard lock(mutex_);
    results_[result.zone] = result;
}

}  // namespace nswatch
