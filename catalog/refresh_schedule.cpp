#include "catalog/refresh_schedule.hpp"

#include <algorithm>

namespace nswatch {

namespace {

RefreshSchedule::Duration clamp_seconds(uint32_t s, RefreshSchedule::Duration lo,
                                        RefreshSchedule::Duration hi) {
    return std::clamp<RefreshSchedule::Duration>(std::chrono::seconds(s), lo, hi);
}

}  // namespace

void RefreshSchedule::succeeded(Time now, uint32_t refresh_s, uint32_t retry_s) {
    retry_ = clamp_seconds(retry_s, kMinRetry, kMaxRetry);
    due_ = now + clamp_seconds(refresh_s, kMinRefresh, kMaxRefresh);
}

void RefreshSchedule::failed(Time now) {
    due_ = now + retry_;
}

void RefreshSchedule::notified(Time now) {
    Time when = now;
    if (last_start_) when = std::max(when, *last_start_ + kMinNotifyGap);
    due_ = std::min(due_, when);
}

}  // namespace nswatch
