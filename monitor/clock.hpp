// The time a scheduling service reads: a steady clock for its schedule and a wall clock for what
// it records (when a serial was first seen, when a snapshot was taken). Services take a Clock so
// that tests drive their schedule on a virtual clock instead of waiting for real time to pass.
#pragma once

#include <chrono>

namespace nswatch {

class Clock {
  public:
    using Steady = std::chrono::steady_clock;
    using Wall = std::chrono::system_clock;
    virtual ~Clock() = default;
    virtual Steady::time_point steady() const = 0;
    virtual Wall::time_point wall() const = 0;
};

/// The process's real clocks (std::chrono::steady_clock and system_clock).
const Clock& system_clocks();

}  // namespace nswatch
