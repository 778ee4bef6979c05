// ProbeEngine's c-ares glue: the socket functions, the epoll bookkeeping, and the channels (one
// per vantage, server, port, transport and timeout) with their wake-ups and idle sweep.
#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "prober/engine_impl.hpp"
#include "prober/local_failure.hpp"

namespace nswatch {

namespace engine_detail {

// --- c-ares socket functions: plain system calls that also remember what was received.

// c-ares 1.18 configures none of the sockets it gets from a user-supplied asocket (no O_NONBLOCK,
// no local address, no device): that is all done here. A blocking socket would hang the loop in
// recvfrom as soon as c-ares drains a socket after a reply it drops.
ares_socket_t sock_open(int domain, int type, int protocol, void* user) {
    auto* ch = static_cast<Channel*>(user);
    const int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0) {
        ch->open_errno = errno;  // finish() tells a local cause (no descriptor) from the server's
        return ARES_SOCKET_BAD;
    }
    if (type == SOCK_STREAM) {
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    } else {
        // The default receive buffer (~208 KiB) overflows when hundreds of replies arrive at once,
        // and each dropped reply costs a full timeout. Failure (a lower rmem_max) is not an error:
        // the kernel then caps the size.
        const int rcv = 4 << 20;
        const int snd = 1 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
    }
    const Vantage& v = ch->vantage;
    if (!v.interface.empty() && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, v.interface.c_str(),
                                           static_cast<socklen_t>(v.interface.size())) != 0) {
        ::close(fd);
        return ARES_SOCKET_BAD;
    }
    int bound = 0;
    if (domain == AF_INET && !v.source_ipv4.empty()) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        inet_pton(AF_INET, v.source_ipv4.c_str(), &sa.sin_addr);
        bound = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    } else if (domain == AF_INET6 && !v.source_ipv6.empty()) {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        inet_pton(AF_INET6, v.source_ipv6.c_str(), &sa.sin6_addr);
        bound = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    }
    if (bound != 0) {
        ::close(fd);
        return ARES_SOCKET_BAD;
    }
    enable_receive_timestamps(fd);
    ch->socket_types[fd] = type;
    return fd;
}

int sock_close(ares_socket_t fd, void* user) {
    auto* ch = static_cast<Channel*>(user);
    ch->socket_types.erase(fd);
    ch->impl->udp.forget(fd);
    ch->impl->tcp.forget(fd);
    ch->replies.closed(fd);
    ch->wire.on_close(fd);
    return ::close(fd);
}

int sock_connect(ares_socket_t fd, const struct sockaddr* addr, ares_socklen_t len, void*) {
    return ::connect(fd, addr, len);
}

ares_ssize_t sock_recvfrom(ares_socket_t fd, void* buf, size_t len, int flags,
                           struct sockaddr* from, ares_socklen_t* from_len, void* user) {
    auto* ch = static_cast<Channel*>(user);
    const bool stream = ch->socket_types[fd] == SOCK_STREAM;
    const ares_ssize_t n =
        stream ? ch->impl->tcp.receive(fd, buf, len, flags, ch->wire)
               : ch->impl->udp.receive(fd, buf, len, flags, from, from_len, ch->wire);
    if (n > 0) {
        ch->replies.record(fd, stream, static_cast<const uint8_t*>(buf), static_cast<size_t>(n),
                           Clock::now());
    }
    return n;
}

// c-ares 1.18 hands over every query queued on a TCP connection in one call, an iovec each: beyond
// IOV_MAX, writev fails with EINVAL, and c-ares then closes the connection and fails every query
// on it (each one resent, and failed again behind the others: quadratic, and most never answered).
// A partial write is one c-ares expects: it resumes from the first byte not sent.
ares_ssize_t sock_sendv(ares_socket_t fd, const struct iovec* iov, int iovcnt, void* user) {
    auto* ch = static_cast<Channel*>(user);
    if (ch->socket_types[fd] != SOCK_STREAM) {
        // A datagram waits for the next flush (prober/udp_batch.hpp); a full batch goes now.
        UdpBatch& udp = ch->impl->udp;
        const ares_ssize_t n = udp.queue(fd, iov, iovcnt, ch->wire);
        if (udp.send_full()) udp.flush();
        return n;
    }
    return timed_writev(ch->wire, fd, true, iov, std::min(iovcnt, IOV_MAX));
}

const struct ares_socket_functions kSocketFunctions = {sock_open, sock_close, sock_connect,
                                                       sock_recvfrom, sock_sendv};

void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* ch = static_cast<Channel*>(data);
    auto* impl = ch->impl;
    if (impl->destroying) return;
    epoll_event ev{};
    ev.data.fd = fd;
    ev.events = (readable ? uint32_t{EPOLLIN} : 0u) | (writable ? uint32_t{EPOLLOUT} : 0u);
    if (readable || writable) {
        const bool known = impl->socket_owner.count(fd) != 0;
        impl->socket_owner[fd] = ch;
        if (epoll_ctl(impl->epoll_fd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0 &&
            errno == EEXIST) {
            epoll_ctl(impl->epoll_fd, EPOLL_CTL_MOD, fd, &ev);
        }
    } else {
        impl->socket_owner.erase(fd);
        epoll_ctl(impl->epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    }
}

void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    auto* p = static_cast<Pending*>(arg);
    p->impl->finish(p, status, abuf, alen);
}

}  // namespace engine_detail

using namespace engine_detail;

Channel& ProbeEngine::Impl::channel_for(const ProbeRequest& r) {
    if (last_key != nullptr && last_key->port == r.target.port &&
        last_key->transport == r.target.transport && last_key->timeout_ms == r.timeout.count() &&
        last_key->address == r.target.address && last_key->vantage == r.target.vantage) {
        return *last_channel;
    }
    ChannelKey key{r.target.vantage, r.target.address, r.target.port, r.target.transport,
                   static_cast<long>(r.timeout.count())};
    auto it = channels.find(key);
    if (it != channels.end()) {
        last_key = &it->first;
        last_channel = it->second.get();
        return *it->second;
    }

    if (max_channels != 0 && channels.size() >= max_channels) close_least_recent_idle_channel();
    auto ch = std::make_unique<Channel>();
    // Looked up before any c-ares state exists, so an unknown vantage leaks nothing. The source
    // address and device are applied in sock_open (c-ares 1.18 skips its own socket setup there).
    ch->vantage = vantage(r.target.vantage);
    ch->impl = this;
    ch->transport = r.target.transport;
    ares_options opts{};
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
    opts.flags = ARES_FLAG_IGNTC | ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH |
                 ARES_FLAG_NOALIASES | ARES_FLAG_PRIMARY | ARES_FLAG_STAYOPEN |
                 (r.target.transport == Transport::tcp ? ARES_FLAG_USEVC : 0);
    opts.timeout = static_cast<int>(r.timeout.count());
    opts.tries = 1;
    opts.sock_state_cb = on_socket_state;
    opts.sock_state_cb_data = ch.get();
    if (const int status = ares_init_options(&ch->ares, &opts, mask); status != ARES_SUCCESS) {
        // c-ares reads /etc/resolv.conf here: with no descriptor left that fails, and the cause
        // is this host's, not the server's.
        const auto cause = local_cause(errno);
        const std::string what =
            std::string("c-ares channel initialisation failed: ") + ares_strerror(status);
        if (cause || status == ARES_ENOMEM || status == ARES_EFILE)
            throw LocalFailure(what + (cause ? ": " + *cause : std::string()));
        throw std::runtime_error(what);
    }
    ares_set_socket_functions(ch->ares, &kSocketFunctions, ch.get());

    ares_addr_port_node server{};
    server.next = nullptr;
    const bool v6 = r.target.address.find(':') != std::string::npos;
    server.family = v6 ? AF_INET6 : AF_INET;
    const int ok = inet_pton(
        server.family, r.target.address.c_str(),
        v6 ? static_cast<void*>(&server.addr.addr6) : static_cast<void*>(&server.addr.addr4));
    if (ok != 1) {
        ares_destroy(ch->ares);
        throw std::invalid_argument("not an IP address: '" + r.target.address + "'");
    }
    server.udp_port = r.target.port;
    server.tcp_port = r.target.port;
    ares_set_servers_ports(ch->ares, &server);

    Channel& ref = *ch;
    auto [pos, inserted] = channels.emplace(std::move(key), std::move(ch));
    last_key = &pos->first;  // node-based map: the key's address is stable
    last_channel = &ref;
    ++stats.channels;
    return ref;
}

void ProbeEngine::Impl::schedule(Channel& ch, Clock::time_point when) {
    // One wake-up per channel is enough: processing a channel handles all its expired queries and
    // re-arms it from c-ares' own idea of the next timeout.
    if (when >= ch.next_wakeup && ch.next_wakeup > Clock::now()) return;
    ch.next_wakeup = when;
    wakeups.emplace(when, &ch);
}

void ProbeEngine::Impl::reschedule_from_ares(Channel& ch) {
    if (ch.outstanding == 0) {
        ch.next_wakeup = Clock::time_point::max();
        return;
    }
    timeval tv{};
    if (ares_timeout(ch.ares, nullptr, &tv) != nullptr) {
        const auto delay = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
        ch.next_wakeup = Clock::time_point::max();
        schedule(ch, Clock::now() + delay + std::chrono::milliseconds(1));
    }
}

// Destroy the channels nothing was sent on for idle_channel_limit: their kept sockets (STAYOPEN)
// would otherwise hold a descriptor per address and transport for ever, and a kept TCP connection
// the server has long closed on its side is worth nothing.
void ProbeEngine::Impl::sweep_idle_channels(Clock::time_point now) {
    next_sweep = now + std::max(idle_channel_limit / 4, std::chrono::milliseconds(10));
    std::vector<Channel*> gone;
    for (auto it = channels.begin(); it != channels.end();) {
        Channel& ch = *it->second;
        if (ch.outstanding == 0 && now - ch.last_used >= idle_channel_limit) {
            gone.push_back(&ch);
            ares_destroy(ch.ares);  // closes its sockets: on_socket_state drops them from epoll
            if (last_channel == &ch) {
                last_channel = nullptr;
                last_key = nullptr;
            }
            it = channels.erase(it);
        } else {
            ++it;
        }
    }
    if (gone.empty()) return;
    // Wake-ups of the destroyed channels would point at freed memory: keep only the others.
    std::sort(gone.begin(), gone.end());
    std::vector<Wakeup> kept;
    while (!wakeups.empty()) {
        if (!std::binary_search(gone.begin(), gone.end(), wakeups.top().second))
            kept.push_back(wakeups.top());
        wakeups.pop();
    }
    for (const auto& w : kept) wakeups.push(w);
    stats.channels_closed += gone.size();
}

// At max_channels, a new channel replaces the idle one used longest ago (its socket closes). With
// max_in_flight below max_channels some channel is always idle: busy ones each have a probe on
// the wire.
void ProbeEngine::Impl::close_least_recent_idle_channel() {
    auto oldest = channels.end();
    for (auto it = channels.begin(); it != channels.end(); ++it) {
        if (it->second->outstanding != 0) continue;
        if (oldest == channels.end() || it->second->last_used < oldest->second->last_used)
            oldest = it;
    }
    if (oldest == channels.end()) return;  // all busy: the new one goes beyond the cap
    Channel* gone = oldest->second.get();
    ares_destroy(gone->ares);
    if (last_channel == gone) {
        last_channel = nullptr;
        last_key = nullptr;
    }
    channels.erase(oldest);
    std::vector<Wakeup> kept;  // a wake-up of the destroyed channel would point at freed memory
    while (!wakeups.empty()) {
        if (wakeups.top().second != gone) kept.push_back(wakeups.top());
        wakeups.pop();
    }
    for (const auto& w : kept) wakeups.push(w);
    ++stats.channels_closed;
}

}  // namespace nswatch
