// Batched UDP I/O under the engine's c-ares socket functions: one sendmmsg for up to 32 queries
// and one recvmmsg for up to 32 replies, instead of a system call each.
//
// IMPLEMENTATION NOTES
// - Why: on a VM a system call's entry and exit cost about as much as the work a DNS query needs
//   in the kernel (the sweep benchmark's profile put a quarter of the engine's CPU in the
//   writev/recvmsg entry path). c-ares 1.18 writes each UDP query with its own call and reads each
//   reply with its own call; its socket functions (asendv, arecvfrom) are where a batch fits.
// - Sends: queue() copies the datagram and reports it written; flush() sends the queue with one
//   sendmmsg per socket (sockets are connected: no addresses), the queue ordered by socket first:
//   a round asks each of a zone's addresses in turn, which queued alternates between sockets.
//   The engine flushes when 256 are queued and before it waits for events, so a burst goes out
//   within the same pass of its loop. A datagram's send time (wire timestamps) is taken at the
//   flush.
// - A send error (an ICMP error reported on the socket, a full send buffer) cannot reach c-ares as
//   the failed write it would have seen: the error is kept for the socket (pending_error) and the
//   engine makes c-ares read that socket, where the read returns it; c-ares then fails the
//   socket's queries as it does for an error met on a read. A datagram the kernel would not take
//   (EAGAIN) is lost like a packet lost on the way: its probe times out.
// - Receives: a read of a socket whose batch is empty asks recvmmsg for up to 32 datagrams, with
//   each one's kernel receive timestamp; the reads that follow are served from the batch. c-ares
//   reads a socket until a read says EAGAIN, so a batch is normally drained before c-ares turns to
//   another socket; datagrams left when another socket is read are moved aside for their socket
//   and served first (has_buffered tells the engine to let c-ares read them). When the recvmmsg
//   returned fewer datagrams than it could take, the socket was empty: the read after the batch
//   says EAGAIN without a system call (the engine's epoll is level-triggered, so a datagram that
//   arrived meanwhile is read at its next wait).
// - A closed socket's queued sends, buffered replies and pending error are dropped (forget).
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "prober/wire_timestamps.hpp"

namespace nswatch {

class UdpBatch {
  public:
    static constexpr size_t kBatch = 32;
    /// Datagrams queued (over all sockets) before send_full() asks for a flush.
    static constexpr size_t kQueueMax = 8 * kBatch;
    /// Largest datagram kept per slot: c-ares 1.18 reads UDP replies into MAXENDSSZ + 1 (4097)
    /// octets. A read with a larger buffer bypasses the batch.
    static constexpr size_t kSlotSize = 4097;

    UdpBatch();

    /// Queue a datagram for `fd`; its send time goes to `log` when it leaves. Returns its length.
    ssize_t queue(int fd, const iovec* iov, int iovcnt, WireTimestamps& log);
    bool send_full() const { return out_.size() >= kQueueMax; }
    /// Send everything queued: one sendmmsg per socket (per kBatch of its datagrams), whatever
    /// the order they were queued in, each socket's datagrams in their order. Sockets that met an
    /// error keep it in pending_errors().
    void flush();

    /// recvfrom for a UDP socket, served from the batch (see the notes). Sets errno like recvfrom.
    ssize_t receive(int fd, void* buf, size_t len, int flags, sockaddr* from, socklen_t* from_len,
                    WireTimestamps& log);

    /// Sockets with a send error c-ares has not seen yet, or replies read but not handed over.
    const std::unordered_map<int, int>& pending_errors() const { return errors_; }
    bool has_buffered(int fd) const;
    bool any_buffered() const { return next_ < count_ || !aside_.empty() || !errors_.empty(); }
    /// Datagrams and errors handed to c-ares so far (to tell whether a read took anything).
    uint64_t handed_over() const { return handed_over_; }
    /// sendmmsg calls made so far.
    uint64_t send_calls() const { return send_calls_; }
    /// Sockets holding datagrams read but not handed to c-ares.
    std::vector<int> buffered_sockets() const;

    void forget(int fd);

  private:
    struct Outgoing {
        int fd;
        size_t offset;  ///< into out_bytes_
        size_t len;
        WireTimestamps* log;
    };
    struct Datagram {
        std::vector<uint8_t> bytes;
        sockaddr_storage from{};
        socklen_t from_len = 0;
        WireTime arrived{};
    };

    std::vector<Outgoing> out_;
    std::vector<uint8_t> out_bytes_;
    std::unordered_map<int, int> errors_;
    uint64_t handed_over_ = 0;
    uint64_t send_calls_ = 0;

    // The current receive batch: slots [next_, count_) of socket in_fd_ are still to be served.
    int in_fd_ = -1;
    size_t next_ = 0;
    size_t count_ = 0;
    bool drained_ =
        false;  ///< in_fd_'s last recvmmsg emptied it: its next read after the batch is EAGAIN
    std::vector<uint8_t> slots_;  ///< kBatch * kSlotSize
    std::vector<size_t> lengths_;
    std::vector<sockaddr_storage> from_;
    std::vector<socklen_t> from_len_;
    std::vector<WireTime> arrived_;
    std::unordered_map<int, std::deque<Datagram>> aside_;  ///< left over when another socket read

    void set_aside();
    ssize_t serve(uint8_t* data, size_t dlen, const sockaddr_storage& src, socklen_t src_len,
                  WireTime arrived, int fd, void* buf, size_t len, sockaddr* from,
                  socklen_t* from_len, WireTimestamps& log);
};

}  // namespace nswatch
