// When the daemon hands freed heap pages back to the kernel (malloc_trim). glibc returns memory
// to the kernel only from the top of a heap; a round's transient allocations (requests, replies,
// parsed records) are freed in the middle of it and stay resident (about 18 MB of 221 MB of VmRSS
// after the first round at 10,000 zones, measured without trimming). malloc_trim(0) releases such
// pages, but walks
// every free chunk: cheap when the loop is idle, so it runs when the engine has nothing in
// flight, at most every `idle_gap`, and otherwise (a daemon so busy it is never idle) every
// `busy_gap`, in both cases only after rounds finished since the last trim.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace nswatch {

class HeapTrimPolicy {
  public:
    using Clock = std::chrono::steady_clock;

    explicit HeapTrimPolicy(Clock::duration idle_gap = std::chrono::seconds(10),
                            Clock::duration busy_gap = std::chrono::minutes(10))
        : idle_gap_(idle_gap), busy_gap_(busy_gap) {}

    /// Whether to trim now: `rounds` is the count of rounds completed so far, `idle` whether the
    /// probe engine has nothing outstanding. Pure: the caller passes the time.
    bool due(Clock::time_point now, uint64_t rounds, bool idle) const;
    /// Record a trim done at `now` with `rounds` completed.
    void trimmed(Clock::time_point now, uint64_t rounds);

  private:
    Clock::duration idle_gap_;
    Clock::duration busy_gap_;
    Clock::time_point last_{};
    uint64_t rounds_at_last_ = 0;
};

/// malloc_trim(0): hand free heap pages back to the kernel. Returns whether any were released.
bool release_free_heap();

}  // namespace nswatch
