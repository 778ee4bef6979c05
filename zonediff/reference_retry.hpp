// When to try a hidden primary's transfer again after it failed (refused, TSIG error, timeout):
// not every round, which would hammer a primary that refuses us and flood the log, but after a
// wait that doubles from the round interval with each failure in a row, up to a cap, and is
// forgotten at the first success. Pure: the caller passes `now` (the round's start, so that a
// wait of one interval is due at the next round).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace nswatch {

/// The longest wait between two attempts: the reference's `every` (each RRset is meant to be
/// checked within it), at most an hour, and never below one round interval.
std::chrono::milliseconds transfer_retry_cap(std::chrono::milliseconds interval,
                                             std::chrono::milliseconds every);

/// The wait after the `failures`-th failure in a row (1 = the first): interval × 2^(failures−1),
/// at most `cap`.
std::chrono::milliseconds transfer_retry_delay(uint32_t failures,
                                               std::chrono::milliseconds interval,
                                               std::chrono::milliseconds cap);

/// One reference's failed transfers.
class TransferRetry {
  public:
    using Clock = std::chrono::steady_clock;

    /// A transfer may be tried at `now`: none failed since the last success, or the wait is over.
    bool due(Clock::time_point now) const { return !next_ || now >= *next_; }
    /// A transfer failed at `now`; returns when the next may be tried.
    Clock::time_point failed(Clock::time_point now, std::chrono::milliseconds interval,
                             std::chrono::milliseconds cap);
    /// A transfer succeeded: the next failure waits one interval again.
    void succeeded() { *this = TransferRetry{}; }

    uint32_t failures() const { return failures_; }
    std::optional<Clock::time_point> next() const { return next_; }

  private:
    uint32_t failures_ = 0;
    std::optional<Clock::time_point> next_;
};

/// The zone's error while it waits, for `status` and the log: "<error>; next attempt at
/// 2026-12-06T14:30:05Z (failure 3 in a row)". `next` is wall-clock time (UTC).
std::string transfer_retry_text(const std::string& error, uint32_t failures,
                                std::chrono::system_clock::time_point next);

}  // namespace nswatch
