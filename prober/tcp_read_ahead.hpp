// Read-ahead for the engine's TCP connections: one recvmsg takes whatever replies have arrived
// (up to 64 KiB), and c-ares's reads are then served from that buffer.
//
// IMPLEMENTATION NOTES
// - Why: c-ares 1.18 makes one read per readiness event of a TCP socket, of the two-octet length
//   first and of the message in a second event, so each reply cost two passes of the event loop
//   (two epoll_wait and two recvmsg calls). With a connection carrying hundreds of pipelined
//   queries (`check` over thousands of zones on one server), that was most of the engine's work.
// - The engine lets c-ares read a socket again, without waiting, for as long as its buffer holds
//   octets (and c-ares takes some each time), so every reply that came in one read is handed over
//   in the same pass of the loop. Octets c-ares declines are dropped with the socket's buffer:
//   the loop never spins on them.
// - Wire times: the read that fills the buffer records its arrival time for the whole chunk
//   (WireTimestamps::on_read cuts it into messages), so a reply read together with later ones
//   carries the arrival time of the chunk (the kernel stamps a TCP read with its last segment's).
//   Serving from the buffer records nothing more.
// - A read error or the peer's close reaches c-ares only after every buffered octet: it sees the
//   stream in order, as it would have without the buffer.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "prober/wire_timestamps.hpp"

namespace nswatch {

class TcpReadAhead {
  public:
    static constexpr size_t kChunk = 64 * 1024;

    /// recv for a connected TCP socket, served from its buffer, or one read of up to kChunk octets
    /// when the buffer is empty. Sets errno like recv.
    ssize_t receive(int fd, void* buf, size_t len, int flags, WireTimestamps& log);

    bool has_buffered(int fd) const { return buffered_.count(fd) != 0; }
    /// Sockets whose buffer still holds octets c-ares has not taken.
    std::vector<int> buffered_sockets() const;
    /// Octets handed to c-ares so far (to tell whether a read took anything).
    uint64_t handed_over() const { return handed_over_; }

    /// The socket is closed, or c-ares will not take its octets: its buffer goes.
    void forget(int fd) { buffered_.erase(fd); }

  private:
    struct Buffer {
        std::vector<uint8_t> bytes;
        size_t next = 0;  ///< first octet not yet handed over
    };
    std::unordered_map<int, Buffer> buffered_;  ///< only sockets with octets left
    std::vector<uint8_t> scratch_ = std::vector<uint8_t>(kChunk);
    uint64_t handed_over_ = 0;
};

}  // namespace nswatch
