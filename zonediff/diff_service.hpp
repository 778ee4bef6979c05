// The daemon's scheduled zone diff (config `diff`): its own thread, every diff.interval, transfers
// each watched zone's copies from the providers with `transfer` settings that serve it (the
// monitor's snapshot says which), compares each with the first (checks/zone_diff.hpp) and keeps
// the newest result per zone for alerts (alerts/zone_diff_rule.hpp) and metrics.
//
// IMPLEMENTATION NOTES
// - Transfers are blocking (prober/axfr.hpp) and run one at a time on this thread: the monitor's
//   probe loop never waits for them, and at most two copies are in memory at once.
// - The first run waits (checking every second, for up to a minute) until the monitor has probed
//   every zone, since the providers serving a zone come from its snapshot.
// - A failed transfer keeps the pair's previous comparison (checks/zone_diff.hpp failed_pair): a
//   transient failure neither resolves nor re-fires a mismatch; provider_down says why.
// - Shutdown waits for a transfer in flight, bounded by diff.timeout per read.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "checks/zone_diff.hpp"
#include "checks/zone_state.hpp"
#include "config/schema.hpp"

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

  private:
    void loop();
    /// One run over every zone; false (nothing done) when `wait_for_rounds` and some zone has not
    /// been probed yet.
    bool run_once(bool wait_for_rounds);
    ZoneDiffResult diff_zone(const std::string& zone,
                             const std::vector<const ProviderTransfer*>& providers,
                             const ZoneDiffResult* previous) const;
    void record(const ZoneDiffResult& result);

    Config config_;                          ///< zones, transfers, keys, diff settings
    std::function<SnapshotPtr()> snapshot_;  ///< the monitor's newest snapshot
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Gauge>& differences_;  ///< RRsets differing, per pair
    prometheus::Family<prometheus::Counter>& runs_;       ///< runs per zone and outcome
    std::set<std::string> skipped_;                  ///< zones already logged as not comparable
    mutable std::mutex mutex_;                       ///< guards results_ and stop_
    std::map<std::string, ZoneDiffResult> results_;  ///< newest per zone
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace nswatch
