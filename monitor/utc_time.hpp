// Wall times written out in UTC, the one time zone every surface of nswatch shows.
#pragma once

#include <chrono>
#include <string>

namespace nswatch {

/// `t` in UTC through strftime's `format` (e.g. "%Y-%m-%dT%H:%M:%SZ"), whole seconds.
std::string utc_string(std::chrono::system_clock::time_point t, const char* format);

}  // namespace nswatch
