#include "prober/tcp_read_ahead.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace nswatch {

ssize_t TcpReadAhead::receive(int fd, void* buf, size_t len, int flags, WireTimestamps& log) {
    if (len == 0) return 0;
    auto it = buffered_.find(fd);
    if (it == buffered_.end()) {
        const ssize_t n = timed_recvfrom(log, fd, true, scratch_.data(), scratch_.size(), flags,
                                         nullptr, nullptr);
        if (n <= 0) return n;  // EOF or an error (errno from recvmsg), as recv would say
        // Acknowledge at once what arrives next. Linux delays an ACK up to 40 ms once a connection
        // leaves its quick-ACK start; a server that writes each reply of a pipelined stream with
        // Nagle on then holds the rest of them until that ACK, and every reply behind it would
        // be timed 40 ms late. The flag does not stay set: it is set again after every read.
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        const size_t got = static_cast<size_t>(n);
        const size_t now = std::min(got, len);
        std::memcpy(buf, scratch_.data(), now);
        handed_over_ += now;
        if (now < got) {
            Buffer& rest = buffered_[fd];
            rest.bytes.assign(scratch_.begin() + static_cast<std::ptrdiff_t>(now),
                              scratch_.begin() + static_cast<std::ptrdiff_t>(got));
            rest.next = 0;
        }
        return static_cast<ssize_t>(now);
    }
    Buffer& b = it->second;
    const size_t now = std::min(len, b.bytes.size() - b.next);
    std::memcpy(buf, b.bytes.data() + b.next, now);
    b.next += now;
    handed_over_ += now;
    if (b.next == b.bytes.size()) buffered_.erase(it);
    return static_cast<ssize_t>(now);
}

std::vector<int> TcpReadAhead::buffered_sockets() const {
    std::vector<int> fds;
    fds.reserve(buffered_.size());
    for (const auto& [fd, b] : buffered_) fds.push_back(fd);
    std::sort(fds.begin(), fds.end());
    return fds;
}

}  // namespace nswatch
