#include "exporter/http_listen_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace nswatch {

namespace {

/// The kernel caps it at net.core.somaxconn; connections beyond it wait in SYN retries, not in
/// our table, so a burst of scrapers and attackers does not turn into refused connections.
constexpr int kBacklog = 4096;

}  // namespace

int open_listen_socket(const ListenAddress& a) {
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (a.ipv6) {
        auto& v6 = reinterpret_cast<sockaddr_in6&>(storage);
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(a.port);
        if (inet_pton(AF_INET6, a.host.c_str(), &v6.sin6_addr) != 1) {
            throw std::runtime_error("cannot listen on " + to_string(a) + ": not an IPv6 address");
        }
        length = sizeof v6;
    } else {
        auto& v4 = reinterpret_cast<sockaddr_in&>(storage);
        v4.sin_family = AF_INET;
        v4.sin_port = htons(a.port);
        if (inet_pton(AF_INET, a.host.c_str(), &v4.sin_addr) != 1) {
            throw std::runtime_error("cannot listen on " + to_string(a) + ": not an IPv4 address");
        }
        length = sizeof v4;
    }
    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        throw std::runtime_error("cannot listen on " + to_string(a) + ": " + std::strerror(errno));
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a.ipv6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
        ::listen(fd, kBacklog) != 0) {
        const int error = errno;
        ::close(fd);
        throw std::runtime_error("cannot listen on " + to_string(a) + ": " + std::strerror(error));
    }
    return fd;
}

uint16_t bound_port(int fd) {
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return 0;
    if (storage.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<sockaddr_in6&>(storage).sin6_port);
    }
    return ntohs(reinterpret_cast<sockaddr_in&>(storage).sin_port);
}

}  // namespace nswatch
