// When the catalog is transferred next (RFC 9432 §5.1: a catalog is followed as a secondary
// follows a zone): at its SOA refresh after a success, at its SOA retry after a failure, and at
// once on a NOTIFY. Pure: the caller gives the time.
//
// IMPLEMENTATION NOTES
// - The SOA timers are clamped (refresh 10 s to 1 day, retry 5 s to 1 hour): a catalog whose
//   SOA says 0 would be transferred in a loop, one that says a year would never be followed
//   without NOTIFY.
// - NOTIFYs closer together than kMinNotifyGap after a transfer start share one transfer, so a
//   NOTIFY flood costs the primary at most one transfer a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace nswatch {

class RefreshSchedule {
  public:
    using Time = std::chrono::steady_clock::time_point;
    using Duration = std::chrono::milliseconds;

    static constexpr Duration kDefaultRetry{std::chrono::seconds(60)};
    static constexpr Duration kMinNotifyGap{std::chrono::seconds(1)};
    static constexpr Duration kMinRefresh{std::chrono::seconds(10)};
    static constexpr Duration kMaxRefresh{std::chrono::hours(24)};
    static constexpr Duration kMinRetry{std::chrono::seconds(5)};
    static constexpr Duration kMaxRetry{std::chrono::hours(1)};

    /// Due at `start` (the first transfer).
    explicit RefreshSchedule(Time start) : due_(start) {}

    /// Whether a transfer is due at `now`.
    bool due(Time now) const { return now >= due_; }
    /// When the next transfer is due.
    Time next() const { return due_; }

    /// A transfer starts at `now`.
    void started(Time now) { last_start_ = now; }
    /// It succeeded; the catalog's SOA says refresh and retry seconds.
    void succeeded(Time now, uint32_t refresh_s, uint32_t retry_s);
    /// It failed: try again at the SOA retry (of the last good copy, else kDefaultRetry).
    void failed(Time now);
    /// A NOTIFY for the catalog came at `now`: due at once, or kMinNotifyGap after the last
    /// start when that is later.
    void notified(Time now);

  private:
    Time due_;
    std::optional<Time> last_start_;
    Duration retry_ = kDefaultRetry;
};

}  // namespace nswatch
