#include "prober/local_failure.hpp"

#include <sys/resource.h>

#include <cerrno>

namespace nswatch {

std::optional<std::string> local_cause(int error) {
    switch (error) {
        case EMFILE: {
            rlimit lim{};
            if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
                return "no file descriptor: open-files limit " + std::to_string(lim.rlim_cur) +
                       " reached";
            }
            return std::string("no file descriptor: the process's open-files limit is reached");
        }
        case ENFILE:
            return std::string("no file descriptor: the system's open-files table is full");
        case ENOBUFS:
        case ENOMEM:
            return std::string("no memory for a socket");
        default:
            return std::nullopt;
    }
}

}  // namespace nswatch
