#include "monitor/utc_time.hpp"

#include <ctime>

namespace nswatch {

std::string utc_string(std::chrono::system_clock::time_point t, const char* format) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    const size_t n = std::strftime(buf, sizeof buf, format, &tm);
    return std::string(buf, n);
}

}  // namespace nswatch
