// Up/down as a state machine with rise and fall thresholds (dnsdist's habit), fed only booleans.
// A target starts unknown: after a restart nothing is claimed about it until it has answered once
// (up) or failed `fall` times in a row (down), so a verdict from before the restart is neither
// confirmed nor contradicted by the absence of evidence.
#pragma once

namespace nswatch {

struct HealthThresholds {
    int rise = 2;  ///< consecutive successes that bring a down target up
    int fall = 2;  ///< consecutive failures that take an up (or unknown) target down

    bool operator==(const HealthThresholds&) const = default;
};

class Health {
  public:
    explicit Health(HealthThresholds t = {}) : t_(t) {}

    /// Feed one probe outcome; returns true when the up/down state changed (unknown -> down
    /// counts as a change, unknown -> up does not: nothing was wrong).
    bool feed(bool success);
    void set_thresholds(HealthThresholds t) { t_ = t; }

    /// Up, or unknown (no evidence yet that it is down).
    bool up() const { return up_; }
    /// The state rests on evidence: an answer, or `fall` failures in a row.
    bool known() const { return known_; }
    int consecutive_successes() const { return successes_; }
    int consecutive_failures() const { return failures_; }

  private:
    HealthThresholds t_;
    bool up_ = true;
    bool known_ = false;
    int successes_ = 0;
    int failures_ = 0;
};

}  // namespace nswatch
