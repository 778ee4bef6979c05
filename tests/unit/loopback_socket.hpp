// Sockets bound to 127.0.0.1 on a port the kernel picks: the stand-in servers (silent or not) and
// socket pairs of the unit tests of the probe engine and its parts.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>

namespace nswatch::test {

/// Binds `fd` to 127.0.0.1 on a free port; returns the address it got.
inline sockaddr_in bind_loopback(int fd) {
    REQUIRE(fd >= 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    socklen_t len = sizeof sa;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
    return sa;
}

/// A socket of `type` bound to 127.0.0.1 (a SOCK_STREAM one listening), closed at the end.
struct LoopbackSocket {
    int fd = -1;
    sockaddr_in addr{};
    uint16_t port = 0;

    explicit LoopbackSocket(int type = SOCK_DGRAM, int backlog = 8) {
        fd = ::socket(AF_INET, type, 0);
        addr = bind_loopback(fd);
        port = ntohs(addr.sin_port);
        if ((type & 0xf) == SOCK_STREAM) REQUIRE(::listen(fd, backlog) == 0);
    }
    ~LoopbackSocket() {
        if (fd >= 0) ::close(fd);
    }
    LoopbackSocket(const LoopbackSocket&) = delete;
    LoopbackSocket& operator=(const LoopbackSocket&) = delete;
};

}  // namespace nswatch::test
