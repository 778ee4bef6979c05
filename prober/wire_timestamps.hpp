// Wire timestamps: when a probe's query was written to its socket and when its reply reached the
// socket, so that a probe's RTT never includes the time the event loop spends on other probes.
//
// IMPLEMENTATION NOTES
// - The engine's c-ares socket functions (asendv, arecvfrom) call timed_writev and timed_recvfrom
//   instead of writev and recvfrom for TCP (reads through TcpReadAhead, prober/tcp_read_ahead.hpp:
//   a read may take several replies, all stamped with that read's time); UDP goes through UdpBatch
//   (prober/udp_batch.hpp), which records the same times for each datagram of a batch. The send
//   time is read just before the write; the arrival time is the kernel's receive timestamp
//   (SO_TIMESTAMPNS, delivered as a control message by recvmsg),
//   i.e. when the packet reached the socket, however long it then waited for the loop to read it.
//   Without that control message (the option could not be set) the time of the read stands in:
//   still free of the time spent parsing and calling back, not of the loop's other work. The kernel
//   also stamps at the read when the packet arrived before timestamping was on: it turns it on a
//   moment after the first socket of the whole system asks (a deferred static key). So the first
//   ProbeEngine of a process opens one socket that asks for timestamps and keeps it for the life
//   of the process (keep_receive_timestamping_on): by the time its first probes are answered,
//   usually after a delegation walk, the kernel stamps every packet.
// - Kernel receive timestamps are CLOCK_REALTIME, so the send time is taken from the same clock.
//   A clock step between the two would make the difference meaningless: choose_rtt accepts a wire
//   RTT only if it lies between zero and the loop's own measurement, which always contains it.
// - Times are kept per channel, by DNS message ID (unique among a channel's open queries). A UDP
//   datagram carries the ID in its first two octets. A TCP stream is cut into messages by a framer
//   per socket and direction (two-octet length, then the message): c-ares 1.18 writes several
//   queued queries with one writev, may write part of one, and reads a reply's length and its body
//   in separate calls. A query's send time is that of the write that completed it; a reply's
//   arrival is that of the read that completed it.
// - TCP connect time: the kernel's smoothed RTT (TCP_INFO tcpi_rtt) read at the first write on a
//   connection, when the handshake has just completed and no data has been exchanged, so it is the
//   SYN / SYN-ACK round trip. Queries whose first octet went out in that first write waited for the
//   handshake and carry it; queries written later on the same (kept) connection carry none.
// - Entries are removed by take() when the probe ends. A query c-ares writes after its probe ended
//   (a queued TCP query whose probe timed out) leaves an entry that the next write of that ID
//   overwrites; IDs are 16 bits, so a channel never holds more than 65,536. The map's nodes are
//   kept for reuse when a query's entry goes (up to kSpareMax per channel): an allocation and a
//   free per query otherwise.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// A point in time as nanoseconds of CLOCK_REALTIME (the clock of kernel receive timestamps).
using WireTime = std::chrono::nanoseconds;

WireTime wire_now();

/// Ask the kernel to timestamp every packet this socket receives (SO_TIMESTAMPNS). Failure is not
/// an error: reads then fall back to the time of the read.
void enable_receive_timestamps(int fd);

/// Hold kernel receive timestamping on for the rest of the process (one socket that asks for it,
/// opened once and never closed), so that it is already on when the first replies arrive.
void keep_receive_timestamping_on();

/// The SYN / SYN-ACK round trip of a connected TCP socket (TCP_INFO), none if not established.
std::optional<std::chrono::nanoseconds> tcp_handshake_rtt(int fd);

/// What the wire says about one query.
struct WireTimes {
    std::optional<WireTime> written;  ///< when the query's last octet was written
    std::optional<WireTime> arrived;  ///< when the reply's last octet reached the socket
    std::optional<std::chrono::nanoseconds> connect;  ///< handshake it waited for (TCP, new)

    std::optional<std::chrono::nanoseconds> rtt() const {
        if (!written || !arrived) return std::nullopt;
        return *arrived - *written;
    }
};

/// The RTT to report: the wire's if it is plausible (0 <= wire <= the loop's measurement, which
/// spans it), otherwise the loop's (send call to reply processed).
std::chrono::nanoseconds choose_rtt(const WireTimes& wire, std::chrono::nanoseconds loop_rtt);

/// A finished probe's times: rtt from the wire when the reply was accepted (`answered`), the
/// loop's measurement otherwise (a timeout's RTT is the time to giving up); connect time if the
/// query waited for a new TCP connection's handshake.
void set_probe_times(ProbeResult& r, const WireTimes& wire, bool answered,
                     std::chrono::nanoseconds loop_rtt);

/// Send and arrival times of one channel's queries, by DNS message ID.
class WireTimestamps {
  public:
    /// `written` octets of iov went out on fd at `when`. `handshake` is asked for only on a
    /// stream's first write.
    template <typename Handshake>
    void on_write(int fd, bool stream, const iovec* iov, int iovcnt, size_t written, WireTime when,
                  Handshake handshake) {
        if (!stream) {
            on_datagram_written(iov, iovcnt, written, when);
            return;
        }
        StreamState& s = streams_[fd];
        std::optional<std::chrono::nanoseconds> connect;
        if (!s.written_before) {
            connect = handshake();
            s.written_before = true;
        }
        on_stream_written(s.out, iov, iovcnt, written, when, connect);
    }
    void on_read(int fd, bool stream, const uint8_t* data, size_t len, WireTime arrived);
    /// The socket is closed: its stream state goes (its descriptor number will be reused).
    void on_close(int fd) { streams_.erase(fd); }
    /// The times recorded for query `id`, forgotten here.
    WireTimes take(uint16_t id);
    size_t size() const { return by_id_.size(); }

  private:
    /// One message cut from a stream.
    struct Message {
        uint16_t id = 0;
        bool has_id = false;                          ///< false for a message shorter than an ID
        std::optional<std::chrono::nanoseconds> tag;  ///< given when its first octet was fed
    };
    /// Cuts a byte stream into DNS messages (two-octet length, then the message).
    struct Framer {
        uint8_t header[4] = {};  ///< length (2) and ID (2) octets seen so far
        size_t header_len = 0;
        size_t length = 0;     ///< the current message's length
        size_t remaining = 0;  ///< octets of the current message still to come after the header
        std::optional<std::chrono::nanoseconds> tag;
        /// Consume octets from [p, end) up to the end of the current message; true (and `done`
        /// set) when it ended. `tag` is remembered for a message that starts here.
        bool step(const uint8_t*& p, const uint8_t* end,
                  std::optional<std::chrono::nanoseconds> tag, Message& done);
    };
    struct StreamState {
        Framer out;
        Framer in;
        bool written_before = false;
    };

    void on_datagram_written(const iovec* iov, int iovcnt, size_t written, WireTime when);
    void on_stream_written(Framer& f, const iovec* iov, int iovcnt, size_t written, WireTime when,
                           std::optional<std::chrono::nanoseconds> connect);
    void record_sent(uint16_t id, WireTime when, std::optional<std::chrono::nanoseconds> connect);
    void record_arrived(uint16_t id, WireTime when);

    using ById = std::unordered_map<uint16_t, WireTimes>;
    ById by_id_;
    /// Nodes of by_id_ taken out by take(), reused by the next queries: a query costs no
    /// allocation once a channel has had its window of queries open.
    std::vector<ById::node_type> spare_;
    /// More spare nodes than this are freed (a burst's do not stay for ever).
    static constexpr size_t kSpareMax = 1024;
    std::unordered_map<int, StreamState> streams_;
};

/// writev that records what it wrote (and, on a stream's first write, the handshake RTT).
ssize_t timed_writev(WireTimestamps& log, int fd, bool stream, const iovec* iov, int iovcnt);

/// recvfrom (as recvmsg) that records the kernel's arrival time of what it read.
ssize_t timed_recvfrom(WireTimestamps& log, int fd, bool stream, void* buf, size_t len, int flags,
                       sockaddr* from, socklen_t* from_len);

}  // namespace nswatch
