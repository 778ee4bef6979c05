// The daemon's scheduled zone diff (config `diff`): its own thread, every diff.interval, transfers
// each watched zone's copies from the providers with `transfer` settings that serve it (the
// monitor's snapshot says which), compares each with the first (zonediff/zone_diff.hpp) and keeps
// the newest result per zone for alerts (alerts/zone_diff_rule.hpp) and metrics.
//
// IMPLEMENTATION NOTES
// - Transfers are blocking (prober/axfr.hpp, prober/ixfr.hpp) and run one at a time on this
//   thread: the monitor's probe loop never waits for them.
// - With diff.ixfr (the default) every provider's copy of every zone is kept between runs and
//   brought up to date by IXFR from its serial; a provider that does not offer IXFR (or whose
//   reply does not fit the copy) gets AXFR. Without it, at most two copies are in memory at once.
// - SIGHUP: reconfigure() hands over the new config; the thread takes it before its next run,
//   drops the copies of zones and providers no longer configured, and times the next run with the
//   new interval.
// - The first run waits (checking every second, for up to a minute) until the monitor has probed
//   every zone, since the providers serving a zone come from its snapshot.
// - A failed transfer keeps the pair's previous comparison (zonediff/zone_diff.hpp failed_pair): a
//   transient failure neither resolves nor re-fires a mismatch; provider_down says why.
// - Shutdown waits for a transfer in flight, bounded by diff.timeout per read.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "config/schema.hpp"
#include "monitor/zone_state.hpp"
#include "zonediff/service_inbox.hpp"
#include "zonediff/zone_copy.hpp"
#include "zonediff/zone_diff.hpp"

namespace nswatch {

class DiffService {
  public:
    /// Starts the thread; config.diff must be enabled.
    DiffService(Config config, std::function<SnapshotPtr()> snapshot);
    ~DiffService();  ///< stops the thread (after a transfer in flight)
    DiffService(const DiffService&) = delete;
    DiffService& operator=(const DiffService&) = delete;

    /// Metrics to serve: nswatch_zone_diff_*.
    std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
    /// The newest result of every zone diffed so far, by zone name; safe from any thread.
    std::vector<ZoneDiffResult> results() const;
    /// Use `config` from the next run on (SIGHUP); safe from any thread.
    void reconfigure(Config config);

  private:
    void loop();
    /// One run over every zone; false (nothing done) when `wait_for_rounds` and some zone has not
    /// been probed yet.
    bool run_once(bool wait_for_rounds);
    ZoneDiffResult diff_zone(const std::string& zone,
                             const std::vector<const ProviderTransfer*>& providers,
                             const ZoneDiffResult* previous);
    void record(const ZoneDiffResult& result);
    /// This provider's copy of `zone`, brought up to date (from the cache when diff.ixfr).
    ZoneCopy refresh(const std::string& zone, const ProviderTransfer& p);
    /// Take a pending reconfigure(); true when there was one.
    bool take_config();

    Config config_;                          ///< zones, transfers, keys, diff settings
    std::function<SnapshotPtr()> snapshot_;  ///< the monitor's newest snapshot
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Gauge>& differences_;  ///< RRsets differing, per pair
    prometheus::Family<prometheus::Counter>& runs_;       ///< runs per zone and outcome
    prometheus::Family<prometheus::Counter>& transfers_;  ///< per zone, provider and kind
    std::map<std::pair<std::string, std::string>, ZoneCopy> copies_;  ///< by (zone, provider)
    std::set<std::pair<std::string, std::string>> no_ixfr_;  ///< logged once: IXFR not used
    std::set<std::string> skipped_;                  ///< zones already logged as not comparable
    ServiceInbox inbox_;                             ///< reconfigure() and stop, for the thread
    mutable std::mutex mutex_;                       ///< guards results_
    std::map<std::string, ZoneDiffResult> results_;  ///< newest per zone
    std::thread thread_;
};

}  // namespace nswatch
