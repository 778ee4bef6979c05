// When the monitor starts the rounds that fell due. Jitter spreads the zones' rounds over the
// whole interval (1,000 zones at 60 s: one every 60 ms), and a round started on its own costs a
// wake-up and system calls for its few probes alone. Rounds are therefore started in batches, at
// most once per window (1/60 of probe.interval, at most 1 s): every round due since the last batch
// starts together, its probes leave in one sendmmsg and their replies are read in the same
// wake-ups. A round starts at most one window late. A visit wanted for a time no later than the
// last batch (a round due at once after a discovery) is not held back.
#pragma once

#include <algorithm>
#include <chrono>

namespace nswatch {

class VisitBatch {
  public:
    using Clock = std::chrono::steady_clock;

    /// The window for a probe interval: interval / 60, at most 1 s.
    static Clock::duration window_for(Clock::duration interval) {
        return std::min<Clock::duration>(interval / 60, std::chrono::seconds(1));
    }

    /// Visits due up to this time are made now: `now` once the window since the last batch has
    /// passed, else only those due by the last batch.
    Clock::time_point horizon(Clock::time_point now) const {
        return now >= next_ ? now : std::min(now, last_);
    }

    /// After the visits up to horizon(now): `any` whether a zone was visited. A batch that
    /// visited something opens the next window.
    void visited(Clock::time_point now, bool any, Clock::duration window) {
        if (now < next_ || !any) return;
        last_ = now;
        next_ = now + window;
    }

    /// When the loop should look again for the earliest visit, due at `due`.
    Clock::time_point wake_for(Clock::time_point due) const {
        return due <= last_ ? due : std::max(due, next_);
    }

    /// Forget the batches (a reload rebuilds the schedule).
    void reset() { *this = VisitBatch{}; }

  private:
    Clock::time_point last_{};  ///< when the last batch was visited
    Clock::time_point next_{};  ///< the next batch opens then
};

}  // namespace nswatch
