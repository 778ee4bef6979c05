// Wire timestamps: which query a write or a read belongs to (UDP datagrams, TCP streams cut at
// any octet), which RTT is reported, and the kernel's receive timestamp on a real socket.
#include "prober/wire_timestamps.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "loopback_socket.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

/// A DNS-like message: ID, then `body` filler octets (the timestamps never parse more).
std::vector<uint8_t> message(uint16_t id, size_t body = 10) {
    std::vector<uint8_t> m{static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id & 0xff)};
    m.resize(2 + body, 0xab);
    return m;
}

std::vector<uint8_t> framed(uint16_t id, size_t body = 10) {
    const std::vector<uint8_t> m = message(id, body);
    std::vector<uint8_t> f{static_cast<uint8_t>(m.size() >> 8),
                           static_cast<uint8_t>(m.size() & 0xff)};
    f.insert(f.end(), m.begin(), m.end());
    return f;
}

iovec io(std::vector<uint8_t>& v) {
    return {v.data(), v.size()};
}

const auto kNoHandshake = [] { return std::optional<std::chrono::nanoseconds>(); };

}  // namespace

TEST_CASE("wire timestamps: a UDP query's RTT runs from its write to its reply's arrival",
          "[wire_timestamps]") {
    WireTimestamps w;
    auto q1 = message(0x1234);
    auto q2 = message(0x0042);
    iovec v1 = io(q1), v2 = io(q2);
    w.on_write(5, false, &v1, 1, q1.size(), 1000ns, kNoHandshake);
    w.on_write(5, false, &v2, 1, q2.size(), 1100ns, kNoHandshake);
    const auto r2 = message(0x0042), r1 = message(0x1234), stray = message(0x7777);
    w.on_read(5, false, stray.data(), stray.size(), 1200ns);  // an ID nobody asked: ignored
    w.on_read(5, false, r2.data(), r2.size(), 1300ns);
    w.on_read(5, false, r1.data(), r1.size(), 1500ns);
    CHECK(w.size() == 2);
    const WireTimes t1 = w.take(0x1234);
    REQUIRE(t1.rtt().has_value());
    CHECK(*t1.rtt() == 500ns);
    CHECK_FALSE(t1.connect.has_value());
    CHECK(*w.take(0x0042).rtt() == 200ns);
    CHECK_FALSE(w.take(0x7777).written.has_value());
    CHECK(w.size() == 0);
    CHECK_FALSE(w.take(0x1234).rtt().has_value());  // taken once
}

TEST_CASE("wire timestamps: a reused ID starts afresh, an unanswered one has no RTT",
          "[wire_timestamps]") {
    WireTimestamps w;
    auto q = message(9);
    iovec v = io(q);
    w.on_write(3, false, &v, 1, q.size(), 10ns, kNoHandshake);
    const auto r = message(9);
    w.on_read(3, false, r.data(), r.size(), 20ns);
    // The probe ended without take() (its reply was not accepted); the next query with ID 9 must
    // not inherit that arrival.
    w.on_write(3, false, &v, 1, q.size(), 100ns, kNoHandshake);
    const WireTimes t = w.take(9);
    CHECK(t.written == WireTime(100ns));
    CHECK_FALSE(t.arrived.has_value());
    CHECK_FALSE(t.rtt().has_value());
}

TEST_CASE("wire timestamps: TCP queries pipelined in one write, replies read in any pieces",
          "[wire_timestamps]") {
    WireTimestamps w;
    auto a = framed(0xa1), b = framed(0xb2, 300);
    iovec first[] = {io(a), io(b)};
    int handshakes = 0;
    const auto handshake = [&handshakes] {
        ++handshakes;
        return std::optional<std::chrono::nanoseconds>(35us);
    };
    // The first write on the connection sends a and the first 5 octets of b (a short write).
    w.on_write(7, true, first, 2, a.size() + 5, 1000ns, handshake);
    iovec rest{b.data() + 5, b.size() - 5};
    w.on_write(7, true, &rest, 1, rest.iov_len, 2000ns, handshake);
    auto c = framed(0xc3);
    iovec later = io(c);
    w.on_write(7, true, &later, 1, c.size(), 3000ns, handshake);
    CHECK(handshakes == 1);  // asked only at the connection's first write

    // Replies: c, then a, then b; c-ares reads a length and its body in separate calls, and a read
    // may end anywhere.
    std::vector<uint8_t> stream = framed(0xc3);
    for (uint16_t id : {uint16_t{0xa1}, uint16_t{0xb2}}) {
        const auto f = framed(id, id == 0xb2 ? 300 : 10);
        stream.insert(stream.end(), f.begin(), f.end());
    }
    // c complete at 4000; a's length at 5000, a's ID octet by octet at 5001-5002, the rest of a
    // and all of b but its last octet at 6000, b's last octet at 7000.
    const size_t c_end = framed(0xc3).size();
    w.on_read(7, true, stream.data(), c_end, 4000ns);
    w.on_read(7, true, stream.data() + c_end, 2, 5000ns);
    w.on_read(7, true, stream.data() + c_end + 2, 1, 5001ns);
    w.on_read(7, true, stream.data() + c_end + 3, 1, 5002ns);
    w.on_read(7, true, stream.data() + c_end + 4, stream.size() - c_end - 5, 6000ns);

    const WireTimes tc = w.take(0xc3);
    CHECK(*tc.rtt() == 1000ns);           // written at 3000 on the kept connection
    CHECK_FALSE(tc.connect.has_value());  // it did not wait for the handshake
    const WireTimes ta = w.take(0xa1);
    CHECK(*ta.rtt() == 5000ns);  // written at 1000, complete at 6000
    CHECK(ta.connect == std::optional<std::chrono::nanoseconds>(35us));
    CHECK(w.size() == 1);
    w.on_read(7, true, stream.data() + stream.size() - 1, 1, 7000ns);
    const WireTimes tb = w.take(0xb2);
    CHECK(tb.written == WireTime(2000ns));  // the write that completed it
    CHECK(*tb.rtt() == 5000ns);
    // Its first octets went out in the first write: it waited for the handshake too.
    CHECK(tb.connect == std::optional<std::chrono::nanoseconds>(35us));
}

TEST_CASE("wire timestamps: a closed socket's descriptor starts a new connection",
          "[wire_timestamps]") {
    WireTimestamps w;
    int handshakes = 0;
    const auto handshake = [&handshakes] {
        ++handshakes;
        return std::optional<std::chrono::nanoseconds>(std::chrono::microseconds(10 * handshakes));
    };
    auto q = framed(1);
    iovec v = io(q);
    w.on_write(4, true, &v, 1, 3, 100ns, handshake);  // cut short inside the ID
    w.on_close(4);
    // The same descriptor number, a new connection: framing starts again at a length.
    auto q2 = framed(2);
    iovec v2 = io(q2);
    w.on_write(4, true, &v2, 1, q2.size(), 200ns, handshake);
    CHECK(handshakes == 2);
    const auto r = framed(2);
    w.on_read(4, true, r.data(), r.size(), 260ns);
    const WireTimes t = w.take(2);
    CHECK(*t.rtt() == 60ns);
    CHECK(t.connect == std::optional<std::chrono::nanoseconds>(20us));
    CHECK_FALSE(w.take(1).written.has_value());  // never completely written
}

TEST_CASE("wire timestamps: a message too short for an ID is skipped, framing goes on",
          "[wire_timestamps]") {
    WireTimestamps w;
    auto q = framed(0x55);
    iovec v = io(q);
    w.on_write(8, true, &v, 1, q.size(), 0ns, kNoHandshake);
    std::vector<uint8_t> stream{0, 1, 0xee, 0, 0};  // a 1-octet message, an empty one
    const auto r = framed(0x55);
    stream.insert(stream.end(), r.begin(), r.end());
    w.on_read(8, true, stream.data(), stream.size(), 90ns);
    CHECK(*w.take(0x55).rtt() == 90ns);
}

TEST_CASE("wire timestamps: the wire RTT is used only when it is plausible", "[wire_timestamps]") {
    WireTimes t;
    CHECK(choose_rtt(t, 5ms) == 5ms);  // nothing recorded: the loop's measurement
    t.written = WireTime(1s);
    CHECK(choose_rtt(t, 5ms) == 5ms);  // no arrival
    t.arrived = WireTime(1s + 40us);
    CHECK(choose_rtt(t, 5ms) == 40us);
    CHECK(choose_rtt(t, 30us) == 30us);  // longer than the loop's span: a clock step
    t.arrived = WireTime(1s - 1us);
    CHECK(choose_rtt(t, 5ms) == 5ms);  // negative: a clock step

    ProbeResult r;
    t.arrived = WireTime(1s + 40us);
    t.connect = 25us;
    set_probe_times(r, t, true, 5ms);
    CHECK(r.rtt == 40us);
    CHECK(r.connect_time == std::optional<std::chrono::nanoseconds>(25us));
    set_probe_times(r, t, false, 2s);  // no reply accepted (a timeout): the time to giving up
    CHECK(r.rtt == 2s);
    CHECK(r.connect_time == std::optional<std::chrono::nanoseconds>(25us));
}

TEST_CASE("wire timestamps: a datagram's arrival is the kernel's, not the late read's",
          "[wire_timestamps]") {
    const int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(rx >= 0);
    REQUIRE(tx >= 0);
    sockaddr_in sa = test::bind_loopback(rx);
    REQUIRE(connect(tx, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    enable_receive_timestamps(rx);

    // The kernel turns packet timestamping on a moment after the first socket asks (a deferred
    // static key), and a datagram that arrived before that is stamped when read: retry until the
    // kernel stamps at arrival.
    std::optional<std::chrono::nanoseconds> rtt;
    for (int attempt = 0; attempt < 20 && !(rtt && *rtt < 5ms); ++attempt) {
        WireTimestamps w;
        auto q = message(0x0bad);
        iovec v = io(q);
        // The query goes out through the logger on tx; its "reply" is the same bytes on rx.
        REQUIRE(timed_writev(w, tx, false, &v, 1) == static_cast<ssize_t>(q.size()));
        std::this_thread::sleep_for(30ms);  // the loop is busy elsewhere
        uint8_t buf[512];
        sockaddr_storage from{};
        socklen_t from_len = sizeof from;
        const ssize_t n = timed_recvfrom(w, rx, false, buf, sizeof buf, 0,
                                         reinterpret_cast<sockaddr*>(&from), &from_len);
        REQUIRE(n == static_cast<ssize_t>(q.size()));
        CHECK(from_len == sizeof(sockaddr_in));
        CHECK(reinterpret_cast<sockaddr_in&>(from).sin_addr.s_addr == htonl(INADDR_LOOPBACK));
        rtt = w.take(0x0bad).rtt();
        REQUIRE(rtt.has_value());
        CHECK(*rtt >= 0ns);
    }
    const double wire_us = std::chrono::duration<double, std::micro>(*rtt).count();
    INFO("wire rtt " << wire_us << " us");
    CHECK(*rtt < 5ms);  // the 30 ms the datagram waited in the socket are not in it
    close(rx);
    close(tx);
}
