#include "zonediff/reference_retry.hpp"

#include <algorithm>
#include <ctime>

namespace nswatch {

using std::chrono::milliseconds;

milliseconds transfer_retry_cap(milliseconds interval, milliseconds every) {
    return std::max(interval, std::min<milliseconds>(every, std::chrono::hours(1)));
}

milliseconds transfer_retry_delay(uint32_t failures, milliseconds interval, milliseconds cap) {
    milliseconds delay = interval;
    // Doubling stops at the cap, so a long outage cannot overflow the count.
    for (uint32_t i = 1; i < failures && delay < cap; ++i) delay *= 2;
    return std::min(delay, cap);
}

TransferRetry::Clock::time_point TransferRetry::failed(Clock::time_point now, milliseconds interval,
                                                       milliseconds cap) {
    if (failures_ < UINT32_MAX) ++failures_;
    next_ = now + transfer_retry_delay(failures_, interval, cap);
    return *next_;
}

std::string transfer_retry_text(const std::string& error, uint32_t failures,
                                std::chrono::system_clock::time_point next) {
    const std::time_t t = std::chrono::system_clock::to_time_t(
        std::chrono::ceil<std::chrono::seconds>(next));  // never earlier than it is
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return error + "; next attempt at " + when + " (failure " + std::to_string(failures) +
           " in a row)";
}

}  // namespace nswatch
