// The alert lifecycle: conditions over time become alerts that go inactive -> pending (for the
// rule's `for`) -> firing -> resolved, with hysteresis (a firing alert resolves only after its
// condition has been absent for `resolve_after`), a repeat interval, silences and inhibition.
// Pure: every call takes `now`; tests drive it with a virtual clock.
//
// What users of Alertmanager expect, and this keeps:
// - An alert is resolved only by evidence: a held condition (Condition::hold) or an alert whose
//   zone was not judged keeps its state; absence of evidence never resolves.
// - Inhibition mutes, it does not resolve: while provider_down fires for a provider, that
//   provider's address-level alerts (same zone, provider, vantage) are neither notified firing
//   nor reported resolved; while delegation_missing fires, the zone's lame_delegation and
//   delegation_mismatch likewise.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "alerts/rules.hpp"

namespace nswatch {

enum class AlertStatus { pending, firing };
std::string_view to_string(AlertStatus s);

/// One active alert (pending or firing), keyed by its fingerprint.
struct Alert {
    std::string fingerprint;                          ///< fingerprint(rule, labels)
    std::string rule;                                 ///< rule name
    Labels labels;                                    ///< from the condition
    AlertSeverity severity = AlertSeverity::warning;  ///< from the newest condition
    std::string summary;                              ///< from the newest condition
    AlertStatus status = AlertStatus::pending;        ///< pending until `for` has passed
    WallTime active_since{};   ///< when the condition first held (this episode)
    WallTime firing_since{};   ///< when it started firing (epoch while pending)
    WallTime last_active{};    ///< the last evaluation the condition held
    WallTime last_notified{};  ///< the last firing notification (epoch = never)
    bool notified = false;  ///< a firing notification went out this episode (so resolve does too)

    bool operator==(const Alert&) const = default;
};

/// Mutes alerts whose labels match every matcher (the rule name matches as label "alertname")
/// until `expires`.
struct Silence {
    int64_t id = 0;       ///< store id
    Labels matchers;      ///< label -> exact value
    WallTime expires{};   ///< no effect from then on
    std::string comment;  ///< who and why
    WallTime created{};   ///< when it was added

    bool matches(const Alert& a) const;
};

/// Lifecycle timings (alerts/ AlertSettings has them from the config).
struct LifecycleSettings {
    std::chrono::milliseconds resolve_after{std::chrono::minutes(2)};  ///< hysteresis
    std::chrono::milliseconds repeat_interval{std::chrono::hours(4)};  ///< re-notify firing
};

/// A notification worth sending, with the reason (logged and tested, like Alertmanager's dedup).
struct Notice {
    Alert alert;            ///< the alert as of the transition
    bool resolved = false;  ///< a "resolved" notice, else "firing"
    std::string reason;     ///< "first notification", "repeat interval elapsed", "resolved"
    WallTime at{};          ///< evaluation time
};

class AlertTracker {
  public:
    explicit AlertTracker(LifecycleSettings settings = {}) : settings_(settings) {}

    /// Continue from stored state (after a restart): these alerts are not notified again.
    void restore(std::vector<Alert> alerts);
    /// Whether an alert could be judged by this evaluation (its zone had evidence); an alert not
    /// judged keeps its state. Empty: every alert was judged.
    using JudgedFn = std::function<bool(const Alert&)>;

    /// Feed the conditions holding at `now`; returns the notices to send, sorted by zone.
    std::vector<Notice> evaluate(const std::vector<Condition>& conditions, WallTime now,
                                 const std::vector<Silence>& silences = {},
                                 const JudgedFn& judged = {});
    /// Active alerts by fingerprint.
    const std::map<std::string, Alert>& alerts() const { return alerts_; }
    void set_settings(LifecycleSettings s) { settings_ = s; }

  private:
    LifecycleSettings settings_;
    std::map<std::string, Alert> alerts_;
};

/// Notices of one zone sent as one message (forty failing addresses are one page).
struct NoticeGroup {
    std::string zone;             ///< the zone label
    std::vector<Notice> notices;  ///< firing first, then resolved
};

std::vector<NoticeGroup> group_by_zone(const std::vector<Notice>& notices);

/// The alert that mutes `a` among `alerts` (a firing provider_down of its provider, or a firing
/// delegation_missing of its zone), or null.
const Alert* inhibitor_of(const Alert& a, const std::map<std::string, Alert>& alerts);

}  // namespace nswatch
