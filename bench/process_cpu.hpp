// The benchmarks' client CPU: user + system time of this process so far.
#pragma once

#include <sys/resource.h>

namespace nswatch::bench {

/// getrusage(RUSAGE_SELF) user + system time in seconds.
inline double process_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

}  // namespace nswatch::bench
