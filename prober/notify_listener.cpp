#include "prober/notify_listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace nswatch {

namespace {

constexpr int kTcpReadMs = 1000;  // per connection; see the header
constexpr size_t kMaxMessage = 65535;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

socklen_t make_sockaddr(const std::string& address, uint16_t port, sockaddr_storage& ss) {
    std::memset(&ss, 0, sizeof ss);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        return sizeof(sockaddr_in);
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        return sizeof(sockaddr_in6);
    }
    throw std::runtime_error("'" + address + "' is not an IP address");
}

std::string address_text(const sockaddr_storage& ss) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
    } else if (ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, buf,
                  sizeof buf);
    }
    return buf;
}

// Read exactly n bytes from a connected socket within the deadline; false on EOF/time-out.
bool read_exact(int fd, uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline) {
    size_t got = 0;
    while (got < n) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) return false;
        const ssize_t r = recv(fd, out + got, n - got, 0);
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
    }
    return true;
}

}  // namespace

NotifyListener::NotifyListener(NotifyListenerOptions options, Callback on_accepted)
    : options_(std::move(options)), on_accepted_(std::move(on_accepted)) {
    sockaddr_storage ss{};
    const socklen_t len = make_sockaddr(options_.address, options_.port, ss);
    try {
        udp_ = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (udp_ < 0) fail("notify: udp socket");
        const int one = 1;
        setsockopt(udp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        // A burst (a primary notifying many zones at once, or a flood) must not overflow the
        // default ~208 KiB buffer; the kernel caps this at net.core.rmem_max.
        const int rcvbuf = 4 << 20;
        setsockopt(udp_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        if (bind(udp_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
            fail("notify: bind udp " + options_.address + " port " + std::to_string(options_.port));
        }
        sockaddr_storage bound{};
        socklen_t blen = sizeof bound;
        getsockname(udp_, reinterpret_cast<sockaddr*>(&bound), &blen);
        port_ =
            ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                             : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
        // TCP on the same port as UDP (the one the kernel chose when 0 was asked for).
        make_sockaddr(options_.address, port_, ss);
        tcp_ = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (tcp_ < 0) fail("notify: tcp socket");
        setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(tcp_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
            fail("notify: bind tcp " + options_.address + " port " + std::to_string(port_));
        }
        if (listen(tcp_, 64) != 0) fail("notify: listen");
        if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) fail("notify: pipe");
    } catch (...) {
        for (int fd : {udp_, tcp_, wake_[0], wake_[1]}) {
            if (fd >= 0) close(fd);
        }
        throw;
    }
    thread_ = std::thread([this] { loop(); });
}

NotifyListener::~NotifyListener() {
    stop_ = true;
    const char c = 'x';
    [[maybe_unused]] auto r = write(wake_[1], &c, 1);
    if (thread_.joinable()) thread_.join();
    for (int fd : {udp_, tcp_, wake_[0], wake_[1]}) {
        if (fd >= 0) close(fd);
    }
}

void NotifyListener::loop() {
    while (!stop_) {
        pollfd fds[3] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
        if (poll(fds, 3, 1000) < 0) {
            if (errno == EINTR) continue;
            spdlog::error("notify listener: poll: {}", std::strerror(errno));
            return;
        }
        if (fds[0].revents & POLLIN) serve_udp();
        if (fds[1].revents & POLLIN) serve_tcp();
    }
}

void NotifyListener::handle(const uint8_t* data, size_t size, const std::string& source,
                            const char* transport, std::vector<uint8_t>& reply) {
    const auto now = std::chrono::system_clock::now();
    NotifyDecision d = judge_notify(std::span<const uint8_t>(data, size), source, options_.policy);
    counts_[static_cast<size_t>(d.verdict)]++;
    if (d.verdict == NotifyVerdict::accepted) {
        spdlog::info("notify: {} serial {} from {} over {}{}", d.zone,
                     d.serial ? std::to_string(*d.serial) : "?", source, transport,
                     d.key_name.empty() ? "" : " key " + d.key_name);
        if (on_accepted_) {
            on_accepted_(NotifyEvent{d.zone, d.serial, source, transport, d.key_name, now});
        }
    } else {
        spdlog::debug("notify: {} from {} over {}: {}", to_string(d.verdict), source, transport,
                      d.detail);
    }
    reply = std::move(d.reply);
}

void NotifyListener::serve_udp() {
    // Drain what is queued, but at most a bounded batch so TCP and stop are not starved.
    std::vector<uint8_t> buf(kMaxMessage);
    for (int i = 0; i < 256; ++i) {
        sockaddr_storage from{};
        socklen_t flen = sizeof from;
        const ssize_t n =
            recvfrom(udp_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &flen);
        if (n < 0) return;
        std::vector<uint8_t> reply;
        handle(buf.data(), static_cast<size_t>(n), address_text(from), "udp", reply);
        if (!reply.empty()) {
            sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), flen);
        }
    }
}

void NotifyListener::serve_tcp() {
    sockaddr_storage from{};
    socklen_t flen = sizeof from;
    const int fd = accept4(tcp_, reinterpret_cast<sockaddr*>(&from), &flen, SOCK_CLOEXEC);
    if (fd < 0) return;
    const std::string source = address_text(from);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTcpReadMs);
    // One connection may carry several messages (RFC 7766); serve until EOF or the deadline.
    for (;;) {
        uint8_t prefix[2];
        if (!read_exact(fd, prefix, 2, deadline)) break;
        const size_t size = static_cast<size_t>(prefix[0]) << 8 | prefix[1];
        std::vector<uint8_t> msg(size);
        if (!read_exact(fd, msg.data(), size, deadline)) {
            counts_[static_cast<size_t>(NotifyVerdict::malformed)]++;
            break;
        }
        std::vector<uint8_t> reply;
        handle(msg.data(), msg.size(), source, "tcp", reply);
        if (reply.empty()) break;
        std::vector<uint8_t> out{static_cast<uint8_t>(reply.size() >> 8),
                                 static_cast<uint8_t>(reply.size() & 0xFF)};
        out.insert(out.end(), reply.begin(), reply.end());
        if (send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
            break;
        }
    }
    close(fd);
}

}  // namespace nswatch
