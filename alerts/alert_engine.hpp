// The daemon's alerting: every evaluation_interval it reads the newest zone state snapshot, runs
// the rules and the lifecycle, and commits the alert state and the new notices (one per zone and
// channel) to the outbox in one transaction; then wakes the delivery thread. evaluate_once() takes
// `now`, so tests drive it with a virtual clock.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "alerts/alert_store.hpp"
#include "alerts/delivery.hpp"
#include "alerts/lifecycle.hpp"

namespace nswatch {

class AlertEngine {
  public:
    /// Restores the stored alert state. `deliverer` may be null (then rows wait in the outbox).
    AlertEngine(const std::string& state_path, AlertSettings settings,
                std::function<SnapshotPtr()> snapshot, Deliverer* deliverer);
    ~AlertEngine();  ///< stops the thread if started
    AlertEngine(const AlertEngine&) = delete;
    AlertEngine& operator=(const AlertEngine&) = delete;

    /// Conditions judged outside the zone snapshot (the resolution probes): called at every
    /// evaluation, their conditions join the rules'. Add before start().
    using ConditionSource = std::function<std::vector<Condition>(WallTime now)>;
    void add_condition_source(ConditionSource source) { sources_.push_back(std::move(source)); }

    /// New rules, thresholds, `for`, hysteresis and intervals (SIGHUP), taken at the start of
    /// the next evaluation; alert state is kept. Thread-safe.
    void reconfigure(AlertSettings settings);
    /// The settings in force: for condition sources, which run inside evaluate_once.
    const AlertSettings& current_settings() const { return settings_; }

    /// One evaluation at `now`; returns the notices it queued.
    std::vector<Notice> evaluate_once(WallTime now);
    /// Evaluate every evaluation_interval on a thread until destroyed.
    void start();
    /// When each serial in flight was first seen, as stored before this start: the monitor's
    /// trackers continue their lag clocks from it (Monitor::restore_serial_first_seen).
    const SerialMemory& stored_serial_memory() const { return persisted_first_seen_; }
    /// Active alerts (call from the evaluating thread, or when it is not started).
    const std::map<std::string, Alert>& alerts() const { return tracker_.alerts(); }
    /// Firing alerts after the last evaluation; safe from any thread.
    size_t firing_count() const { return firing_; }
    /// The active alerts (firing, then pending) after the last evaluation, each with the alert
    /// that mutes it if one does; safe from any thread (the status page shows them).
    std::vector<std::pair<Alert, std::optional<std::string>>> active_alerts() const;

  private:
    /// Zones whose serials in flight differ from what the store holds (persisted_first_seen_
    /// updated to match).
    SerialMemory serial_memory_changes(const Snapshot& snap);

    AlertSettings settings_;
    std::function<SnapshotPtr()> snapshot_;
    std::vector<ConditionSource> sources_;
    Deliverer* deliverer_;
    AlertStore store_;
    AlertTracker tracker_;
    SerialMemory persisted_first_seen_;  ///< what the store holds (zones with a lag in progress)
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::optional<AlertSettings> pending_;  ///< from reconfigure(), under mutex_
    std::atomic<size_t> firing_{0};
    mutable std::mutex view_mutex_;
    std::vector<std::pair<Alert, std::optional<std::string>>> view_;  ///< active_alerts()
    std::thread thread_;
};

/// The state file for `settings` given the history path: alerts.state_path, else
/// "<storage.path>.alerts.db", else "nswatch-alerts.db" in the working directory.
std::string alert_state_path(const AlertSettings& settings, const std::string& storage_path);

}  // namespace nswatch
