// The daemon's alerting: every evaluation_interval it reads the newest zone state snapshot, runs
// the rules and the lifecycle, and commits the alert state and the new notices (one per zone and
// channel) to the outbox in one transaction; then wakes the delivery thread. evaluate_once() takes
// `now`, so tests drive it with a virtual clock.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

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

    /// One evaluation at `now`; returns the notices it queued.
    std::vector<Notice> evaluate_once(WallTime now);
    /// Evaluate every evaluation_interval on a thread until destroyed.
    void start();
    /// Active alerts (call from the evaluating thread, or when it is not started).
    const std::map<std::string, Alert>& alerts() const { return tracker_.alerts(); }
    /// Firing alerts after the last evaluation; safe from any thread.
    size_t firing_count() const { return firing_; }

  private:
    AlertSettings settings_;
    std::function<SnapshotPtr()> snapshot_;
    std::vector<ConditionSource> sources_;
    Deliverer* deliverer_;
    AlertStore store_;
    AlertTracker tracker_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::atomic<size_t> firing_{0};
    std::thread thread_;
};

/// The state file for `settings` given the history path: alerts.state_path, else
/// "<storage.path>.alerts.db", else "nswatch-alerts.db" in the working directory.
std::string alert_state_path(const AlertSettings& settings, const std::string& storage_path);

}  // namespace nswatch
