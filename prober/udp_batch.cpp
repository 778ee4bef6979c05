#include "prober/udp_batch.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace nswatch {

namespace {

WireTime kernel_timestamp(msghdr& msg) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec ts{};
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
        }
    }
    return WireTime::zero();  // none: the caller uses the time of the read
}

}  // namespace

UdpBatch::UdpBatch()
    : slots_(kBatch * kSlotSize),
      lengths_(kBatch),
      from_(kBatch),
      from_len_(kBatch),
      arrived_(kBatch) {}

ssize_t UdpBatch::queue(int fd, const iovec* iov, int iovcnt, WireTimestamps& log) {
    const size_t offset = out_bytes_.size();
    size_t len = 0;
    for (int i = 0; i < iovcnt; ++i) {
        const auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
        out_bytes_.insert(out_bytes_.end(), p, p + iov[i].iov_len);
        len += iov[i].iov_len;
    }
    out_.push_back({fd, offset, len, &log});
    return static_cast<ssize_t>(len);
}

void UdpBatch::flush() {
    // By socket, each socket's datagrams in the order queued (their offsets grow with the queue).
    std::sort(out_.begin(), out_.end(), [](const Outgoing& a, const Outgoing& b) {
        return a.fd != b.fd ? a.fd < b.fd : a.offset < b.offset;
    });
    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iovs{};
    size_t i = 0;
    while (i < out_.size()) {
        // One sendmmsg per run of datagrams for the same socket, at most kBatch of them.
        const int fd = out_[i].fd;
        size_t run = 0;
        while (i + run < out_.size() && out_[i + run].fd == fd && run < kBatch) {
            const Outgoing& o = out_[i + run];
            iovs[run] = {out_bytes_.data() + o.offset, o.len};
            msgs[run] = {};
            msgs[run].msg_hdr.msg_iov = &iovs[run];
            msgs[run].msg_hdr.msg_iovlen = 1;
            ++run;
        }
        size_t done = 0;
        while (done < run) {
            const WireTime before = wire_now();
            const int n = ::sendmmsg(fd, msgs.data() + done, static_cast<unsigned>(run - done),
                                     MSG_DONTWAIT | MSG_NOSIGNAL);
            ++send_calls_;
            if (n > 0) {
                for (size_t k = done; k < done + static_cast<size_t>(n); ++k) {
                    const Outgoing& o = out_[i + k];
                    o.log->on_write(fd, false, &iovs[k], 1, o.len, before,
                                    [] { return std::optional<std::chrono::nanoseconds>(); });
                }
                done += static_cast<size_t>(n);
                continue;
            }
            // The first unsent datagram failed: it is lost (EAGAIN: like a packet dropped on the
            // way); any other error is the socket's and c-ares must hear of it.
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) errors_[fd] = errno;
            if (errno != EINTR) ++done;
        }
        i += run;
    }
    out_.clear();
    out_bytes_.clear();
}

void UdpBatch::set_aside() {
    auto& queue = aside_[in_fd_];
    for (; next_ < count_; ++next_) {
        Datagram d;
        const uint8_t* p = slots_.data() + next_ * kSlotSize;
        d.bytes.assign(p, p + lengths_[next_]);
        d.from = from_[next_];
        d.from_len = from_len_[next_];
        d.arrived = arrived_[next_];
        queue.push_back(std::move(d));
    }
    in_fd_ = -1;
    next_ = count_ = 0;
}

ssize_t UdpBatch::serve(uint8_t* data, size_t dlen, const sockaddr_storage& src, socklen_t src_len,
                        WireTime arrived, int fd, void* buf, size_t len, sockaddr* from,
                        socklen_t* from_len, WireTimestamps& log) {
    const size_t n = std::min(dlen, len);  // a short buffer truncates, as recvfrom would
    std::memcpy(buf, data, n);
    if (from != nullptr && from_len != nullptr) {
        const socklen_t copy = std::min(*from_len, src_len);
        std::memcpy(from, &src, copy);
        *from_len = src_len;
    }
    log.on_read(fd, false, static_cast<const uint8_t*>(buf), n, arrived);
    ++handed_over_;
    return static_cast<ssize_t>(n);
}

ssize_t UdpBatch::receive(int fd, void* buf, size_t len, int flags, sockaddr* from,
                          socklen_t* from_len, WireTimestamps& log) {
    if (auto e = errors_.find(fd); e != errors_.end()) {
        errno = e->second;
        errors_.erase(e);
        ++handed_over_;
        return -1;
    }
    if (auto a = aside_.find(fd); a != aside_.end()) {
        Datagram d = std::move(a->second.front());
        a->second.pop_front();
        if (a->second.empty()) aside_.erase(a);
        return serve(d.bytes.data(), d.bytes.size(), d.from, d.from_len, d.arrived, fd, buf, len,
                     from, from_len, log);
    }
    if (in_fd_ == fd && next_ < count_) {
        const size_t k = next_++;
        return serve(slots_.data() + k * kSlotSize, lengths_[k], from_[k], from_len_[k],
                     arrived_[k], fd, buf, len, from, from_len, log);
    }
    if (in_fd_ == fd && drained_) {
        // The batch just served emptied the socket (recvmmsg returned fewer than it could take):
        // the read c-ares makes to see EAGAIN is answered here, not by another system call. A
        // datagram that arrived since keeps the socket readable for the next epoll_wait.
        drained_ = false;
        errno = EAGAIN;
        return -1;
    }
    if (in_fd_ != -1 && next_ < count_) set_aside();
    drained_ = false;  // it spoke of in_fd_'s last batch only
    if (len > kSlotSize) {
        // c-ares asks with more room than a slot: read directly, so nothing is cut short.
        return timed_recvfrom(log, fd, false, buf, len, flags, from, from_len);
    }

    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iovs{};
    constexpr size_t kControl = CMSG_SPACE(sizeof(timespec));
    alignas(cmsghdr) std::array<char, kBatch * kControl> control{};
    for (size_t k = 0; k < kBatch; ++k) {
        iovs[k] = {slots_.data() + k * kSlotSize, kSlotSize};
        msghdr& h = msgs[k].msg_hdr;
        h.msg_iov = &iovs[k];
        h.msg_iovlen = 1;
        h.msg_name = &from_[k];
        h.msg_namelen = sizeof(sockaddr_storage);
        h.msg_control = control.data() + k * kControl;
        h.msg_controllen = kControl;
    }
    const int n = ::recvmmsg(fd, msgs.data(), kBatch, flags | MSG_DONTWAIT, nullptr);
    if (n <= 0) return n;  // errno from recvmmsg (EAGAIN when empty)
    const WireTime read_at = wire_now();
    for (int k = 0; k < n; ++k) {
        lengths_[k] = msgs[k].msg_len;
        from_len_[k] = msgs[k].msg_hdr.msg_namelen;
        const WireTime t = kernel_timestamp(msgs[k].msg_hdr);
        arrived_[k] = t == WireTime::zero() ? read_at : t;
    }
    in_fd_ = fd;
    count_ = static_cast<size_t>(n);
    next_ = 1;
    drained_ = count_ < kBatch;
    return serve(slots_.data(), lengths_[0], from_[0], from_len_[0], arrived_[0], fd, buf, len,
                 from, from_len, log);
}

bool UdpBatch::has_buffered(int fd) const {
    return (in_fd_ == fd && next_ < count_) || aside_.count(fd) != 0 || errors_.count(fd) != 0;
}

std::vector<int> UdpBatch::buffered_sockets() const {
    std::vector<int> fds;
    if (in_fd_ != -1 && next_ < count_) fds.push_back(in_fd_);
    for (const auto& [fd, q] : aside_) fds.push_back(fd);
    for (const auto& [fd, e] : errors_) fds.push_back(fd);
    std::sort(fds.begin(), fds.end());
    fds.erase(std::unique(fds.begin(), fds.end()), fds.end());
    return fds;
}

void UdpBatch::forget(int fd) {
    out_.erase(
        std::remove_if(out_.begin(), out_.end(), [fd](const Outgoing& o) { return o.fd == fd; }),
        out_.end());
    if (out_.empty()) out_bytes_.clear();
    errors_.erase(fd);
    aside_.erase(fd);
    if (in_fd_ == fd) {
        in_fd_ = -1;
        next_ = count_ = 0;
        drained_ = false;
    }
}

}  // namespace nswatch
