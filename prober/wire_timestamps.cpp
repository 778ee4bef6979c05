#include "prober/wire_timestamps.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>

#include <algorithm>
#include <cstring>

namespace nswatch {

WireTime wire_now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

void enable_receive_timestamps(int fd) {
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
}

void keep_receive_timestamping_on() {
    // Static: one socket per process, opened by the first caller (thread-safe initialisation).
    static const int holder = [] {
        const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) enable_receive_timestamps(fd);
        return fd;
    }();
    (void)holder;
}

std::optional<std::chrono::nanoseconds> tcp_handshake_rtt(int fd) {
    tcp_info info{};
    socklen_t len = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
    if (info.tcpi_state != TCP_ESTABLISHED) return std::nullopt;
    return std::chrono::microseconds(info.tcpi_rtt);
}

std::chrono::nanoseconds choose_rtt(const WireTimes& wire, std::chrono::nanoseconds loop_rtt) {
    const auto rtt = wire.rtt();
    // The loop's measurement starts before the write and ends after the arrival, so a wire RTT
    // outside [0, loop_rtt] means the realtime clock was stepped in between: not to be trusted.
    if (rtt && *rtt >= std::chrono::nanoseconds(0) && *rtt <= loop_rtt) return *rtt;
    return loop_rtt;
}

void set_probe_times(ProbeResult& r, const WireTimes& wire, bool answered,
                     std::chrono::nanoseconds loop_rtt) {
    // Fallback: the loop's measurement (submit to this point), used when no reply was accepted
    // or the wire recorded nothing usable for this query.
    r.rtt = answered ? choose_rtt(wire, loop_rtt) : loop_rtt;
    r.connect_time = wire.connect;
}

bool WireTimestamps::Framer::step(const uint8_t*& p, const uint8_t* end,
                                  std::optional<std::chrono::nanoseconds> start_tag,
                                  Message& done) {
    while (p < end) {
        if (header_len == 0) tag = start_tag;
        if (header_len < 2) {
            header[header_len++] = *p++;
            if (header_len == 2) {
                length = (size_t{header[0]} << 8) | header[1];
                // A message too short to hold an ID is skipped whole.
                if (length < 2) {
                    header_len = 4;
                    remaining = length;
                }
            }
        } else if (header_len < 4) {
            header[header_len++] = *p++;
            if (header_len == 4) remaining = length - 2;
        } else {
            const size_t n = std::min(remaining, static_cast<size_t>(end - p));
            p += n;
            remaining -= n;
        }
        if (header_len == 4 && remaining == 0) {
            done.has_id = length >= 2;
            done.id = static_cast<uint16_t>((header[2] << 8) | header[3]);
            done.tag = tag;
            header_len = 0;
            return true;
        }
    }
    return false;
}

void WireTimestamps::on_datagram_written(const iovec* iov, int iovcnt, size_t written,
                                         WireTime when) {
    uint8_t id[2];
    size_t got = 0;
    for (int i = 0; i < iovcnt && got < 2 && got < written; ++i) {
        const auto* b = static_cast<const uint8_t*>(iov[i].iov_base);
        for (size_t k = 0; k < iov[i].iov_len && got < 2 && got < written; ++k) id[got++] = b[k];
    }
    if (got == 2) record_sent(static_cast<uint16_t>((id[0] << 8) | id[1]), when, std::nullopt);
}

void WireTimestamps::on_stream_written(Framer& f, const iovec* iov, int iovcnt, size_t written,
                                       WireTime when,
                                       std::optional<std::chrono::nanoseconds> connect) {
    size_t left = written;
    for (int i = 0; i < iovcnt && left > 0; ++i) {
        const auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
        const uint8_t* end = p + std::min(iov[i].iov_len, left);
        left -= static_cast<size_t>(end - p);
        Message m;
        // A message whose first octet went out in the connection's first write waited for the
        // handshake: it carries the connect time even if its end goes out in a later write.
        while (f.step(p, end, connect, m)) {
            if (m.has_id) record_sent(m.id, when, m.tag);
        }
    }
}

void WireTimestamps::on_read(int fd, bool stream, const uint8_t* data, size_t len,
                             WireTime arrived) {
    if (!stream) {
        if (len >= 2) record_arrived(static_cast<uint16_t>((data[0] << 8) | data[1]), arrived);
        return;
    }
    Framer& f = streams_[fd].in;
    const uint8_t* p = data;
    Message m;
    while (f.step(p, data + len, std::nullopt, m)) {
        if (m.has_id) record_arrived(m.id, arrived);
    }
}

void WireTimestamps::record_sent(uint16_t id, WireTime when,
                                 std::optional<std::chrono::nanoseconds> connect) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) {
        if (spare_.empty()) {
            it = by_id_.try_emplace(id).first;
        } else {
            ById::node_type node = std::move(spare_.back());
            spare_.pop_back();
            node.key() = id;
            it = by_id_.insert(std::move(node)).position;
        }
    }
    WireTimes& t = it->second;
    t.written = when;
    t.arrived.reset();  // an earlier query with this ID is over
    t.connect = connect;
}

void WireTimestamps::record_arrived(uint16_t id, WireTime when) {
    auto it = by_id_.find(id);
    // Only replies to queries this channel wrote; a late or stray reply with another ID is not
    // ours to time (and forensics names it if it matters).
    if (it == by_id_.end() || !it->second.written) return;
    it->second.arrived = when;
}

WireTimes WireTimestamps::take(uint16_t id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return {};
    ById::node_type node = by_id_.extract(it);
    WireTimes t = node.mapped();
    if (spare_.size() < kSpareMax) spare_.push_back(std::move(node));
    return t;
}

ssize_t timed_writev(WireTimestamps& log, int fd, bool stream, const iovec* iov, int iovcnt) {
    const WireTime before = wire_now();
    const ssize_t n = ::writev(fd, iov, iovcnt);
    if (n > 0) {
        log.on_write(fd, stream, iov, iovcnt, static_cast<size_t>(n), before,
                     [fd] { return tcp_handshake_rtt(fd); });
    }
    return n;
}

ssize_t timed_recvfrom(WireTimestamps& log, int fd, bool stream, void* buf, size_t len, int flags,
                       sockaddr* from, socklen_t* from_len) {
    iovec iov{buf, len};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr msg{};
    msg.msg_name = from_len != nullptr ? from : nullptr;
    msg.msg_namelen = from_len != nullptr ? *from_len : 0;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd, &msg, flags);
    if (n <= 0) return n;
    if (from_len != nullptr) *from_len = msg.msg_namelen;
    std::optional<WireTime> arrived;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec ts{};
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            arrived = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
        }
    }
    // Fallback without a kernel timestamp: the time of the read, still before any parsing.
    log.on_read(fd, stream, static_cast<const uint8_t*>(buf), static_cast<size_t>(n),
                arrived.value_or(wire_now()));
    return n;
}

}  // namespace nswatch
