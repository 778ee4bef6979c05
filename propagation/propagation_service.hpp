// The daemon's propagation component: owns the NOTIFY listener (when configured), its own probe
// engine and thread, and the propagation runs (propagation/propagation.hpp). It reads the zones'
// addresses from the monitor's snapshot and never touches the monitor otherwise.
//
// IMPLEMENTATION NOTES
// - Its own ProbeEngine on its own thread: 250 ms probing of a dozen addresses must not wait for
//   the monitor's round, and a NOTIFY flood lands on the listener thread, not on either prober.
// - A run starts on an accepted NOTIFY for a zone under watch, or when the snapshot shows a newer
//   serial than the last one seen (first sighting; the start is the snapshot's first-seen time).
//   A newer NOTIFY for a zone with a run in progress ends that run (superseded) and starts anew.
// - Finished runs are logged, counted, observed into the histogram per provider as each provider
//   completes, and kept (bounded) for the status report; a sink may store them (SQLite).
// - SIGHUP: reconfigure() hands the new config to the service thread, which takes it between
//   turns: zones, timings and the listener's policy (allowed sources, keys, zones) follow it. A
//   changed vantage list ends the runs in progress ("reloaded") and rebuilds the probe engine.
//   Turning the listener on or off or moving it needs a restart (said in the log).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "monitor/zone_state.hpp"
#include "prober/engine.hpp"
#include "prober/notify_listener.hpp"
#include "propagation/propagation.hpp"

namespace nswatch {

/// A finished run as stored and reported.
struct PropagationRecord {
    std::string zone;                            ///< zone
    std::optional<uint32_t> serial;              ///< the new serial (unknown if none seen)
    std::string trigger;                         ///< "notify" or "poll"
    std::string source;                          ///< NOTIFY sender, empty for poll
    PropagationTime started{};                   ///< NOTIFY arrival or first sighting
    PropagationTime ended{};                     ///< completion, deadline or superseded
    bool complete = false;                       ///< every address served the serial
    std::string end_reason;                      ///< complete, deadline, superseded, stopped
    std::vector<ProviderPropagation> providers;  ///< per provider
    std::vector<AddressPropagation> addresses;   ///< per address
};

using PropagationSink = std::function<void(const PropagationRecord&)>;

class PropagationService {
  public:
    /// Starts the listener (throws std::runtime_error when it cannot bind) and the thread.
    /// `intercept` sees each accepted NOTIFY first (on the listener thread); one it returns true
    /// for starts no run (the catalog zone's, catalog/catalog_source.hpp).
    PropagationService(const Config& config, std::function<SnapshotPtr()> snapshot,
                       std::vector<PropagationSink> sinks = {},
                       std::function<bool(const NotifyEvent&)> intercept = {});
    ~PropagationService();
    PropagationService(const PropagationService&) = delete;
    PropagationService& operator=(const PropagationService&) = delete;

    /// Metrics to serve: nswatch_propagation_*, nswatch_notify_* (messages, rejected).
    std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
    /// The listener's port (0 when no listener).
    uint16_t notify_port() const { return listener_ ? listener_->port() : 0; }
    /// Finished runs, newest first (bounded).
    std::vector<PropagationRecord> recent() const;
    /// Start a run as if a NOTIFY had come (thread-safe).
    void notify(const NotifyEvent& event);
    /// Use `config` from the next turn on (SIGHUP; thread-safe).
    void reconfigure(const Config& config);

  private:
    struct ActiveRun {
        PropagationRun run;  ///< the state machine
        std::string source;  ///< NOTIFY sender, empty for poll
        uint64_t id = 0;     ///< so a late probe result never reaches a newer run of the zone
    };
    void loop();
    void take_events(PropagationTime now, const SnapshotPtr& snap);
    void watch_serials(const SnapshotPtr& snap);
    void start_run(const std::string& zone, std::optional<uint32_t> serial, PropagationTime started,
                   const std::string& trigger, const std::string& source, const SnapshotPtr& snap);
    void finish(ActiveRun& a, PropagationTime now, const std::string& reason);
    void report_providers(ActiveRun& a);
    void export_listener_counts();
    void take_config();

    Config config_;  ///< the daemon's, each zone reduced to its name (names_only)
    std::function<SnapshotPtr()> snapshot_;
    std::vector<PropagationSink> sinks_;
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Histogram>& seconds_;
    prometheus::Family<prometheus::Counter>& runs_;
    prometheus::Family<prometheus::Gauge>& incomplete_;
    prometheus::Family<prometheus::Gauge>& last_seconds_;
    prometheus::Family<prometheus::Counter>& notify_messages_;
    prometheus::Family<prometheus::Counter>& notify_rejected_;
    std::array<uint64_t, NotifyListener::kVerdicts> exported_counts_{};

    std::mutex mu_;
    std::condition_variable wake_;  ///< a NOTIFY arrived: start probing now, not at the next tick
    std::vector<NotifyEvent> events_;
    std::optional<Config> pending_;  ///< from reconfigure(), under mu_
    std::deque<PropagationRecord> recent_;
    mutable std::mutex recent_mu_;
    std::map<std::string, std::unique_ptr<ActiveRun>> active_;  ///< by zone
    std::unordered_map<std::string, uint32_t> known_serial_;    ///< newest serial seen per zone
    /// The snapshot watch_serials last read: a new one comes at most every 500 ms, the loop turns
    /// far more often, and reading every zone per turn costs 10 % of a core at 100,000 zones. Held,
    /// not just its address: a freed snapshot's address may come back for the next one.
    SnapshotPtr watched_snapshot_;
    uint64_t next_id_ = 1;
    std::unique_ptr<ProbeEngine> engine_;  ///< used on the service thread only

    std::atomic<bool> stop_{false};
    std::unique_ptr<NotifyListener> listener_;
    std::thread thread_;
};

}  // namespace nswatch
