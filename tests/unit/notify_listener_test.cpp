// Tests for prober/notify_listener: real UDP and TCP sockets on loopback, NOTIFYs from an allowed
// and an unlisted source address, a flood of garbage that must not stop a valid NOTIFY.
#include "prober/notify_listener.hpp"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "notify_test_packets.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

sockaddr_in loopback(const char* address, uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, address, &a.sin_addr);
    return a;
}

// Send over UDP from `source` and wait up to `wait_ms` for the reply; empty when none came.
std::vector<uint8_t> udp_exchange(const std::vector<uint8_t>& msg, const char* source,
                                  uint16_t port, int wait_ms = 2000) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    const sockaddr_in src = loopback(source, 0);
    REQUIRE(bind(fd, reinterpret_cast<const sockaddr*>(&src), sizeof src) == 0);
    const sockaddr_in dst = loopback("127.0.0.1", port);
    sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<const sockaddr*>(&dst), sizeof dst);
    std::vector<uint8_t> buf(4096);
    pollfd p{fd, POLLIN, 0};
    ssize_t n = -1;
    if (poll(&p, 1, wait_ms) == 1) n = recv(fd, buf.data(), buf.size(), 0);
    close(fd);
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buf;
}

std::vector<uint8_t> tcp_exchange(const std::vector<uint8_t>& msg, uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in dst = loopback("127.0.0.1", port);
    REQUIRE(connect(fd, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) == 0);
    std::vector<uint8_t> out{static_cast<uint8_t>(msg.size() >> 8),
                             static_cast<uint8_t>(msg.size() & 0xFF)};
    out.insert(out.end(), msg.begin(), msg.end());
    REQUIRE(send(fd, out.data(), out.size(), 0) == static_cast<ssize_t>(out.size()));
    std::vector<uint8_t> buf(4096);
    size_t got = 0;
    pollfd p{fd, POLLIN, 0};
    while (poll(&p, 1, 2000) == 1) {
        const ssize_t n = recv(fd, buf.data() + got, buf.size() - got, 0);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
        if (got >= 2 && got >= 2 + (static_cast<size_t>(buf[0]) << 8 | buf[1])) break;
    }
    close(fd);
    if (got < 2) return {};
    return std::vector<uint8_t>(buf.begin() + 2, buf.begin() + static_cast<std::ptrdiff_t>(got));
}

int rcode_of(const std::vector<uint8_t>& reply) {
    REQUIRE(reply.size() >= 12);
    return reply[3] & 0x0F;
}

struct Events {
    std::mutex mu;
    std::vector<NotifyEvent> seen;
    NotifyListener::Callback callback() {
        return [this](const NotifyEvent& e) {
            std::lock_guard lock(mu);
            seen.push_back(e);
        };
    }
    size_t size() {
        std::lock_guard lock(mu);
        return seen.size();
    }
};

NotifyListenerOptions options() {
    NotifyListenerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.policy.allowed_sources = {"127.0.0.1"};
    o.policy.zones = {"shop.test"};
    return o;
}

}  // namespace

TEST_CASE("notify listener: UDP and TCP NOTIFYs answered and reported", "[notify][listener]") {
    Events events;
    NotifyListener l(options(), events.callback());
    REQUIRE(l.port() != 0);

    const auto udp = udp_exchange(test::build_notify({}), "127.0.0.1", l.port());
    REQUIRE_FALSE(udp.empty());
    CHECK(rcode_of(udp) == 0);
    CHECK((udp[2] & 0x80) != 0);  // QR
    const auto tcp = tcp_exchange(test::build_notify({}), l.port());
    REQUIRE_FALSE(tcp.empty());
    CHECK(rcode_of(tcp) == 0);

    REQUIRE(events.size() == 2);
    CHECK(events.seen[0].zone == "shop.test");
    CHECK(events.seen[0].transport == "udp");
    CHECK(events.seen[1].transport == "tcp");
    REQUIRE(events.seen[1].serial);
    CHECK(*events.seen[1].serial == 2026112202u);
    CHECK(l.count(NotifyVerdict::accepted) == 2);
}

TEST_CASE("notify listener: an unlisted source is refused and counted", "[notify][listener]") {
    Events events;
    NotifyListener l(options(), events.callback());
    // 127.63.0.9 is loopback too (127/8), but not in the allowed list.
    const auto reply = udp_exchange(test::build_notify({}), "127.63.0.9", l.port());
    REQUIRE_FALSE(reply.empty());
    CHECK(rcode_of(reply) == LDNS_RCODE_REFUSED);
    CHECK(events.size() == 0);
    CHECK(l.count(NotifyVerdict::refused_source) == 1);
}

TEST_CASE("notify listener: a flood of garbage is counted and a NOTIFY still gets through",
          "[notify][listener]") {
    Events events;
    NotifyListener l(options(), events.callback());
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    const sockaddr_in dst = loopback("127.0.0.1", l.port());
    const std::vector<uint8_t> junk{0x13, 0x37, 0x00, 0x00, 0xff, 0xff, 0xff};
    for (int i = 0; i < 3000; ++i) {
        sendto(fd, junk.data(), junk.size(), 0, reinterpret_cast<const sockaddr*>(&dst),
               sizeof dst);
    }
    close(fd);
    // Like a primary, retry when no answer came: the kernel may have dropped our NOTIFY with
    // the junk when the socket buffer was full; the listener itself must have kept going.
    const auto start = std::chrono::steady_clock::now();
    std::vector<uint8_t> reply;
    for (int attempt = 0; attempt < 3 && reply.empty(); ++attempt) {
        reply = udp_exchange(test::build_notify({}), "127.0.0.1", l.port());
    }
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    REQUIRE_FALSE(reply.empty());
    CHECK(rcode_of(reply) == 0);
    // Some junk may be dropped by the kernel's socket buffer; what arrived was counted.
    for (int i = 0; i < 50 && l.count(NotifyVerdict::malformed) < 100; ++i) {
        std::this_thread::sleep_for(10ms);
    }
    CHECK(l.count(NotifyVerdict::malformed) >= 100);
    CHECK(events.size() >= 1);
}

TEST_CASE("notify listener: TCP clients are served side by side", "[notify][listener]") {
    Events events;
    NotifyListener l(options(), events.callback());
    const sockaddr_in dst = loopback("127.0.0.1", l.port());
    // One client connects and sends nothing; another sends half a NOTIFY and stalls.
    const int idle = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(connect(idle, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) == 0);
    const int slow = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(connect(slow, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) == 0);
    const auto notify = test::build_notify({});
    std::vector<uint8_t> framed{static_cast<uint8_t>(notify.size() >> 8),
                                static_cast<uint8_t>(notify.size() & 0xFF)};
    framed.insert(framed.end(), notify.begin(), notify.end());
    const size_t half = framed.size() / 2;
    REQUIRE(send(slow, framed.data(), half, 0) == static_cast<ssize_t>(half));
    std::this_thread::sleep_for(100ms);
    CHECK(l.tcp_connections() == 2);

    // A third client over TCP and one over UDP are answered at once, not after the others.
    const auto start = std::chrono::steady_clock::now();
    const auto tcp_reply = tcp_exchange(notify, l.port());
    const auto udp_reply = udp_exchange(notify, "127.0.0.1", l.port(), 2000);
    CHECK(std::chrono::steady_clock::now() - start < 500ms);
    CHECK_FALSE(tcp_reply.empty());
    CHECK_FALSE(udp_reply.empty());

    // The slow client finishes its message and gets its answer on the same connection.
    REQUIRE(send(slow, framed.data() + half, framed.size() - half, 0) ==
            static_cast<ssize_t>(framed.size() - half));
    std::vector<uint8_t> buf(4096);
    pollfd p{slow, POLLIN, 0};
    REQUIRE(poll(&p, 1, 2000) == 1);
    const ssize_t n = recv(slow, buf.data(), buf.size(), 0);
    REQUIRE(n > 2);
    CHECK(static_cast<size_t>(n) == 2 + (static_cast<size_t>(buf[0]) << 8 | buf[1]));
    CHECK(events.size() == 3);
    close(slow);

    // The idle client is closed by the listener after its 5 s idle deadline.
    pollfd q{idle, POLLIN, 0};
    REQUIRE(poll(&q, 1, 7000) == 1);
    CHECK(recv(idle, buf.data(), buf.size(), 0) == 0);
    close(idle);
    std::this_thread::sleep_for(100ms);
    CHECK(l.tcp_connections() == 0);
    CHECK(l.count(NotifyVerdict::malformed) == 0);
}

TEST_CASE("notify listener: a TCP message cut short is counted as malformed",
          "[notify][listener]") {
    Events events;
    NotifyListener l(options(), events.callback());
    const sockaddr_in dst = loopback("127.0.0.1", l.port());
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(connect(fd, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) == 0);
    const uint8_t partial[] = {0, 40, 1, 2, 3};  // says 40 octets, sends 3, hangs up
    REQUIRE(send(fd, partial, sizeof partial, 0) == static_cast<ssize_t>(sizeof partial));
    close(fd);
    for (int i = 0; i < 50 && l.count(NotifyVerdict::malformed) == 0; ++i) {
        std::this_thread::sleep_for(20ms);
    }
    CHECK(l.count(NotifyVerdict::malformed) == 1);
    CHECK(events.size() == 0);
}

TEST_CASE("notify listener: a new policy applies to the next message", "[notify][listener]") {
    Events events;
    NotifyListener l(options(), events.callback());
    const auto notify = test::build_notify({});
    CHECK(rcode_of(udp_exchange(notify, "127.0.0.1", l.port())) == LDNS_RCODE_NOERROR);
    NotifyPolicy p = options().policy;
    p.allowed_sources = {"127.0.0.2"};
    l.set_policy(p);
    CHECK(rcode_of(udp_exchange(notify, "127.0.0.1", l.port())) == LDNS_RCODE_REFUSED);
    CHECK(events.size() == 1);
}

TEST_CASE("notify listener: an address it cannot bind is a clear error", "[notify][listener]") {
    NotifyListenerOptions o = options();
    o.address = "192.0.2.1";  // TEST-NET-1: not on this machine
    CHECK_THROWS_WITH(NotifyListener(o, nullptr), Catch::Contains("bind udp 192.0.2.1"));
    o.address = "not-an-address";
    CHECK_THROWS_WITH(NotifyListener(o, nullptr), Catch::Contains("is not an IP address"));
}
