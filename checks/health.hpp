// Up/down as a state machine with rise and fall thresholds (dnsdist's habit), fed only booleans.
#pragma once

namespace nswatch {

struct HealthThresholds {
    int rise = 2;  ///< consecutive successes that bring a down target up
    int fall = 3;  ///< consecutive failures that take an up target down
};

class Health {
  public:
    explicit Health(HealthThresholds t = {}, bool initially_up = true) : t_(t), up_(initially_up) {}

    /// Feed one probe outcome; returns true when the up/down state changed.
    bool feed(bool success);

    bool up() const { return up_; }
    int consecutive_successes() const { return successes_; }
    int consecutive_failures() const { return failures_; }

  private:
    HealthThresholds t_;
    bool up_;
    int successes_ = 0;
    int failures_ = 0;
};

}  // namespace nswatch
