// The server loop: sockets, the ppoll() loop, TCP framing, and the log line per query.
//
// - stdin reaching EOF means the test that started us has finished or died: we exit then, so a
//   crashed test never leaves a server behind. (--ignore-stdin is for running it by hand in the
//   background, where stdin is /dev/null.)
// - SIGTERM/SIGINT are blocked outside ppoll(), which unblocks them atomically: a signal that
//   arrives between two loop turns is not lost while we sleep in the kernel.
// - Port 0: the kernel picks a free UDP port and TCP binds the same number. Another process can
//   take that TCP port in between, so we retry with a fresh port a few times.
#include "server.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace nswatch::baddns {
namespace {

constexpr size_t kMaxTcpConnections = 512;

}  // namespace

volatile sig_atomic_t g_stop = 0;

void on_signal(int) {
    g_stop = 1;
}

Server::~Server() {
    for (auto& c : connections_) close(c.fd);
    if (udp_ >= 0) close(udp_);
    if (tcp_ >= 0) close(tcp_);
}

uint16_t Server::bind_sockets() {
    const int tries = options_.port == 0 ? 20 : 1;
    for (int i = 0; i < tries; ++i) {
        if (try_bind(options_.port)) return port_;
    }
    return 0;
}

void Server::run() {
    sigset_t blocked, unblocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    sigprocmask(SIG_BLOCK, &blocked, &unblocked);
    sigdelset(&unblocked, SIGTERM);
    sigdelset(&unblocked, SIGINT);

    while (!g_stop) {
        std::vector<pollfd> fds;
        fds.push_back({udp_, POLLIN, 0});
        fds.push_back({tcp_, POLLIN, 0});
        fds.push_back({options_.watch_stdin ? STDIN_FILENO : -1, POLLIN, 0});
        for (const auto& c : connections_) {
            const short events = static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT));
            fds.push_back({c.fd, events, 0});
        }
        if (ppoll(fds.data(), fds.size(), nullptr, &unblocked) < 0) {
            if (errno == EINTR) continue;
            std::perror("baddns: ppoll");
            return;
        }
        if (fds[2].revents != 0 && stdin_closed()) return;
        if (fds[0].revents & POLLIN) on_udp();
        if (fds[1].revents & POLLIN) on_accept();
        // Connections accepted just now have no pollfd yet; they are looked at next turn.
        for (size_t i = 3; i < fds.size(); ++i) {
            Connection& c = connections_[i - 3];
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) on_tcp_readable(c);
            if (!c.closing && (fds[i].revents & POLLOUT)) flush(c);
        }
        std::erase_if(connections_, [](const Connection& c) {
            if (c.closing) close(c.fd);
            return c.closing;
        });
    }
}

bool Server::try_bind(uint16_t port) {
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (!make_address(port, addr, len)) {
        std::fprintf(stderr, "baddns: bad listen address '%s'\n", options_.listen.c_str());
        return false;
    }
    int udp = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int tcp = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int one = 1;
    setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bool ok = udp >= 0 && tcp >= 0 && bind(udp, reinterpret_cast<sockaddr*>(&addr), len) == 0;
    if (ok && port == 0) {
        // The kernel chose the UDP port; TCP must use the same number.
        sockaddr_storage bound{};
        socklen_t bound_len = sizeof bound;
        getsockname(udp, reinterpret_cast<sockaddr*>(&bound), &bound_len);
        port =
            ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                             : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
        make_address(port, addr, len);
    }
    ok = ok && bind(tcp, reinterpret_cast<sockaddr*>(&addr), len) == 0 && listen(tcp, 128) == 0;
    if (!ok) {
        std::fprintf(stderr, "baddns: bind %s port %u: %s\n", options_.listen.c_str(), port,
                     std::strerror(errno));
        if (udp >= 0) close(udp);
        if (tcp >= 0) close(tcp);
        return false;
    }
    udp_ = udp;
    tcp_ = tcp;
    port_ = port;
    return true;
}

bool Server::make_address(uint16_t port, sockaddr_storage& addr, socklen_t& len) const {
    addr = {};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
    if (inet_pton(AF_INET, options_.listen.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        len = sizeof *v4;
        return true;
    }
    if (inet_pton(AF_INET6, options_.listen.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        len = sizeof *v6;
        return true;
    }
    return false;
}

bool Server::stdin_closed() {
    char buf[256];
    const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN))) return false;
    std::fprintf(stderr, "baddns: stdin closed, exiting\n");
    return true;
}

std::optional<Reply> Server::handle(const uint8_t* data, size_t size, Transport transport) {
    ++queries_;
    const char* tname = transport == Transport::udp ? "udp" : "tcp";
    std::string why;
    std::optional<Incoming> q = parse_query(data, size, why);
    if (!q) {
        std::fprintf(stderr, "baddns: #%llu mode=%s %s dropped %zu bytes (%s)\n",
                     static_cast<unsigned long long>(queries_),
                     std::string(mode_name(options_.mode)).c_str(), tname, size, why.c_str());
        return std::nullopt;
    }
    const std::string qname = take_string(ldns_rdf2str(ldns_rr_owner(q->question)));
    const std::string qtype = take_string(ldns_rr_type2str(ldns_rr_get_type(q->question)));
    std::fprintf(stderr, "baddns: #%llu mode=%s %s %s %s id=%u%s%s\n",
                 static_cast<unsigned long long>(queries_),
                 std::string(mode_name(options_.mode)).c_str(), tname, qname.c_str(), qtype.c_str(),
                 ldns_pkt_id(q->pkt.get()), q->edns ? " edns" : "", q->nsid ? " nsid" : "");
    return respond(options_.mode, transport, zone_, *q);
}

void Server::on_udp() {
    // Drain everything queued: one poll wake-up can stand for many datagrams.
    for (;;) {
        uint8_t buf[65536];
        sockaddr_storage from{};
        socklen_t from_len = sizeof from;
        const ssize_t n =
            recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0) return;
        std::optional<Reply> reply = handle(buf, static_cast<size_t>(n), Transport::udp);
        if (!reply) continue;
        // UDP replies are never framed; a full send buffer just loses the reply, as on a
        // real network.
        sendto(udp_, reply->bytes.data(), reply->bytes.size(), 0,
               reinterpret_cast<sockaddr*>(&from), from_len);
    }
}

void Server::on_accept() {
    for (;;) {
        const int fd = accept4(tcp_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        if (connections_.size() >= kMaxTcpConnections) {
            close(fd);
            continue;
        }
        connections_.push_back(Connection{fd, {}, {}, false, false, false});
    }
}

void Server::on_tcp_readable(Connection& c) {
    uint8_t buf[4096];
    const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        c.closing = true;
        return;
    }
    if (n < 0) return;
    c.in.insert(c.in.end(), buf, buf + n);
    // Clients may pipeline several queries on one connection: answer each whole message.
    while (c.in.size() >= 2) {
        const size_t len = (size_t{c.in[0]} << 8) | c.in[1];
        if (c.in.size() < 2 + len) break;
        std::optional<Reply> reply = handle(c.in.data() + 2, len, Transport::tcp);
        c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(2 + len));
        if (!reply || c.silenced) continue;
        if (!reply->framed) {
            c.out.push_back(static_cast<uint8_t>(reply->bytes.size() >> 8));
            c.out.push_back(static_cast<uint8_t>(reply->bytes.size()));
        }
        c.out.insert(c.out.end(), reply->bytes.begin(), reply->bytes.end());
        c.silenced = reply->then_silence;
        c.close_when_sent = c.close_when_sent || reply->then_close;
    }
    flush(c);
}

void Server::flush(Connection& c) {
    while (!c.out.empty()) {
        const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) c.closing = true;
            return;
        }
        c.out.erase(c.out.begin(), c.out.begin() + n);
    }
    if (c.close_when_sent) c.closing = true;
}
}  // namespace nswatch::baddns
