// At most one log line per reason per interval, the next one saying how many were held back: a
// flood of bad packets must cost the log a handful of lines, not one per packet, yet the first of
// each kind is always seen at once. Pure: the caller passes `now`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nswatch {

class LogLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    explicit LogLimiter(Clock::duration interval) : interval_(interval) {}

    /// Whether to write the line for `reason` (an index; any size) at `now`. When true,
    /// `suppressed` is the number of lines for it held back since the last one written.
    bool allow(size_t reason, Clock::time_point now, uint64_t& suppressed);

    Clock::duration interval() const { return interval_; }

  private:
    struct State {
        bool logged = false;
        Clock::time_point last{};
        uint64_t held = 0;
    };
    Clock::duration interval_;
    std::vector<State> states_;
};

}  // namespace nswatch
