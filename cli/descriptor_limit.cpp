#include "cli/descriptor_limit.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace nswatch {

void raise_descriptor_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
    const rlim_t before = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) == 0) {
        spdlog::debug("open files limit raised from {} to {}", before, lim.rlim_cur);
    } else {
        spdlog::warn("could not raise the open files limit above {}: {}", before,
                     std::strerror(errno));
    }
}

}  // namespace nswatch
