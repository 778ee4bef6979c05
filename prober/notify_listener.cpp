#include "prober/notify_listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "prober/socket_address.hpp"

namespace nswatch {

namespace {

constexpr auto kTcpIdle = std::chrono::seconds(5);  // see the header
constexpr size_t kMaxConnections = 128;
constexpr size_t kMaxMessage = 65535;

/// Port 0 binds UDP to a port the kernel picks and TCP to the same one: tries this many pairs.
constexpr int kBindAttempts = 20;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

NotifyListener::NotifyListener(NotifyListenerOptions options, Callback on_accepted)
    : options_(std::move(options)),
      on_accepted_(std::move(on_accepted)),
      log_limiter_(options_.log_interval) {
    if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
    sockaddr_storage ss{};
    const socklen_t len = make_sockaddr(options_.address, options_.port, ss);
    try {
        for (int attempt = 0;; ++attempt) {
            udp_ = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            if (udp_ < 0) fail("notify: udp socket");
            const int one = 1;
            setsockopt(udp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            // A burst (a primary notifying many zones at once, or a flood) must not overflow the
            // default ~208 KiB buffer; the kernel caps this at net.core.rmem_max.
            const int rcvbuf = 4 << 20;
            setsockopt(udp_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
            if (bind(udp_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
                fail("notify: bind udp " + options_.address + " port " +
                     std::to_string(options_.port));
            }
            sockaddr_storage bound{};
            socklen_t blen = sizeof bound;
            getsockname(udp_, reinterpret_cast<sockaddr*>(&bound), &blen);
            port_ = ntohs(bound.ss_family == AF_INET
                              ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                              : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
            // TCP on the same port as UDP (the one the kernel chose when 0 was asked for).
            make_sockaddr(options_.address, port_, ss);
            tcp_ = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            if (tcp_ < 0) fail("notify: tcp socket");
            setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (bind(tcp_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
                // Port 0: the port the kernel gave UDP may be in use over TCP (another socket's
                // ephemeral port); ask for another pair rather than fail.
                if (errno == EADDRINUSE && options_.port == 0 && attempt + 1 < kBindAttempts) {
                    close(udp_);
                    close(tcp_);
                    udp_ = tcp_ = -1;
                    make_sockaddr(options_.address, 0, ss);
                    continue;
                }
                fail("notify: bind tcp " + options_.address + " port " + std::to_string(port_));
            }
            break;
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

void NotifyListener::set_policy(NotifyPolicy policy) {
    std::lock_guard lock(policy_mu_);
    options_.policy = std::move(policy);
}

void NotifyListener::loop() {
    std::vector<pollfd> fds;
    while (!stop_) {
        fds.assign({{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}, {wake_[0], POLLIN, 0}});
        auto wake = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        for (const auto& c : connections_) {
            fds.push_back({c.fd, static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
            wake = std::min(wake, c.deadline);
        }
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            wake - std::chrono::steady_clock::now());
        if (poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(wait.count(), 0) + 1)) <
            0) {
            if (errno == EINTR) continue;
            spdlog::error("notify listener: poll: {}", std::strerror(errno));
            return;
        }
        if (fds[0].revents & POLLIN) serve_udp();
        // Connections first (fds[3...] match connections_ as polled), then new ones.
        const auto now = std::chrono::steady_clock::now();
        size_t kept = 0;
        for (size_t i = 0; i < connections_.size(); ++i) {
            TcpConnection& c = connections_[i];
            const bool alive = serve_connection(c, fds[3 + i].revents) && now < c.deadline;
            if (!alive) {
                close_connection(c);
                continue;
            }
            if (kept != i) connections_[kept] = std::move(c);
            ++kept;
        }
        connections_.resize(kept);
        if (fds[1].revents & POLLIN) accept_tcp();
    }
    for (auto& c : connections_) close_connection(c);
    connections_.clear();
}

void NotifyListener::handle(const uint8_t* data, size_t size, const std::string& source,
                            const char* transport, std::vector<uint8_t>& reply) {
    const auto now = options_.clock();
    NotifyDecision d;
    {
        std::lock_guard lock(policy_mu_);
        d = judge_notify(std::span<const uint8_t>(data, size), source, options_.policy, now,
                         &replays_);
    }
    counts_[static_cast<size_t>(d.verdict)]++;
    if (d.verdict == NotifyVerdict::accepted) {
        spdlog::info("notify: {} serial {} from {} over {}{}", d.zone,
                     d.serial ? std::to_string(*d.serial) : "?", source, transport,
                     d.key_name.empty() ? "" : " key " + d.key_name);
        if (on_accepted_) {
            on_accepted_(NotifyEvent{d.zone, d.serial, source, transport, d.key_name, now});
        }
    } else {
        log_rejection(d, source, transport);
    }
    reply = std::move(d.reply);
}

void NotifyListener::log_rejection(const NotifyDecision& d, const std::string& source,
                                   const char* transport) {
    uint64_t suppressed = 0;
    if (!log_limiter_.allow(static_cast<size_t>(d.verdict), std::chrono::steady_clock::now(),
                            suppressed)) {
        return;
    }
    const std::string held = suppressed == 0
                                 ? std::string()
                                 : fmt::format(" ({} more {} not logged since the last such line)",
                                               suppressed, to_string(d.verdict));
    // A failed signature or clock is what an operator must hear of (a forged or replayed NOTIFY,
    // a primary with a wrong key or clock); the rest is noise a scanner makes.
    const bool tsig = d.verdict == NotifyVerdict::unsigned_tsig ||
                      d.verdict == NotifyVerdict::bad_key || d.verdict == NotifyVerdict::bad_sig ||
                      d.verdict == NotifyVerdict::bad_time || d.verdict == NotifyVerdict::replayed;
    spdlog::log(tsig ? spdlog::level::warn : spdlog::level::info,
                "notify: rejected ({}) from {} over {}{}: {}{}", to_string(d.verdict), source,
                transport, d.zone.empty() ? "" : " for " + d.zone, d.detail, held);
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

void NotifyListener::accept_tcp() {
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage from{};
        socklen_t flen = sizeof from;
        const int fd =
            accept4(tcp_, reinterpret_cast<sockaddr*>(&from), &flen, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;
        if (connections_.size() >= kMaxConnections) {
            // Full: the connection closest to its idle deadline makes room.
            auto oldest = std::min_element(
                connections_.begin(), connections_.end(),
                [](const auto& a, const auto& b) { return a.deadline < b.deadline; });
            close_connection(*oldest);
            connections_.erase(oldest);
        }
        TcpConnection c;
        c.fd = fd;
        c.source = address_text(from);
        c.deadline = std::chrono::steady_clock::now() + kTcpIdle;
        connections_.push_back(std::move(c));
        ++open_tcp_;
    }
}

bool NotifyListener::serve_connection(TcpConnection& c, short revents) {
    if (revents & POLLIN) {
        uint8_t buf[16384];
        const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
        if (n == 0) return false;  // the client is done
        if (n < 0) return errno == EINTR || errno == EAGAIN;
        c.in.append(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
        std::vector<uint8_t> msg;
        while (c.in.take(msg)) {
            c.deadline = std::chrono::steady_clock::now() + kTcpIdle;
            std::vector<uint8_t> reply;
            handle(msg.data(), msg.size(), c.source, "tcp", reply);
            if (reply.empty()) return false;  // not even a header to answer
            const auto framed = frame_message(reply);
            c.out.insert(c.out.end(), framed.begin(), framed.end());
        }
    } else if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
        return false;
    }
    if (!c.out.empty()) {
        const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0) return errno == EINTR || errno == EAGAIN;
        c.out.erase(c.out.begin(), c.out.begin() + n);
    }
    return true;
}

void NotifyListener::close_connection(TcpConnection& c) {
    // A message cut short by the close or the idle deadline is malformed.
    if (c.in.partial()) counts_[static_cast<size_t>(NotifyVerdict::malformed)]++;
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
    --open_tcp_;
}

}  // namespace nswatch
