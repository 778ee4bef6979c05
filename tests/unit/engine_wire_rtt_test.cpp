// The engine's RTT is the wire's: from the query's write to its reply's arrival at the socket,
// whatever the loop does meanwhile (here: callbacks that burn CPU). A TCP probe on a new
// connection reports the handshake apart (connect_time); one on a kept connection has none.
// Small UDP and TCP DNS servers run in threads on 127.0.0.1; replies are built with ldns.
// ldns.h uses bool; in C++ it needs <stdbool.h> first (as in the other ldns tests).
#include <stdbool.h>
// clang-format off
#include <ldns/ldns.h>
// clang-format on
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "loopback_socket.hpp"
#include "prober/engine.hpp"
#include "prober/wire_timestamps.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

/// An authoritative SOA reply to `query` (wire format), or empty if it does not parse.
std::vector<uint8_t> soa_reply(const uint8_t* query, size_t size) {
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, query, size) != LDNS_STATUS_OK) return {};
    ldns_pkt_set_qr(pkt, true);
    ldns_pkt_set_aa(pkt, true);
    ldns_rr* soa = nullptr;
    ldns_rr_new_frm_str(&soa,
                        "shop.test. 300 IN SOA ns1.shop.test. admin.shop.test. 7 60 30 600 60", 0,
                        nullptr, nullptr);
    ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, soa);
    uint8_t* wire = nullptr;
    size_t out_size = 0;
    std::vector<uint8_t> out;
    if (ldns_pkt2wire(&wire, pkt, &out_size) == LDNS_STATUS_OK) out.assign(wire, wire + out_size);
    free(wire);
    ldns_pkt_free(pkt);
    return out;
}

int bound_socket(int type, uint16_t& port) {
    const int fd = socket(AF_INET, type, 0);
    port = ntohs(test::bind_loopback(fd).sin_port);
    return fd;
}

/// When a test server finished sending each reply (CLOCK_REALTIME, as the engine's wire times).
/// A reply cannot have reached the client later, whatever the machine's load did to the server.
class SendLog {
  public:
    void add() {
        const WireTime now = wire_now();
        std::lock_guard lock(mutex_);
        times_.push_back(now);
    }
    /// The times once at least `n` replies were logged (the server thread logs just after its
    /// write, possibly after the client already has the reply), or what is there after 2 s.
    std::vector<WireTime> times(size_t n) const {
        const auto until = SteadyClock::now() + 2s;
        for (;;) {
            {
                std::lock_guard lock(mutex_);
                if (times_.size() >= n || SteadyClock::now() > until) return times_;
            }
            std::this_thread::sleep_for(1ms);
        }
    }

  private:
    mutable std::mutex mutex_;
    std::vector<WireTime> times_;
};

/// Answers every SOA query on 127.0.0.1 at once.
class UdpServer {
  public:
    UdpServer() : fd_(bound_socket(SOCK_DGRAM, port)), thread_([this] { serve(); }) {}
    ~UdpServer() {
        stop_ = true;
        thread_.join();
        close(fd_);
    }
    uint16_t port = 0;
    SendLog sent;

  private:
    void serve() {
        uint8_t buf[4096];
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 20) <= 0) continue;
            sockaddr_storage from{};
            socklen_t len = sizeof from;
            const ssize_t n =
                recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0) continue;
            const auto reply = soa_reply(buf, static_cast<size_t>(n));
            sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
            sent.add();
        }
    }
    int fd_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

/// Serves SOA over TCP on 127.0.0.1: one connection at a time, kept open, queries answered in
/// order as they come (pipelined ones too).
class TcpServer {
  public:
    TcpServer() : fd_(bound_socket(SOCK_STREAM, port)) {
        REQUIRE(listen(fd_, 8) == 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~TcpServer() {
        stop_ = true;
        thread_.join();
        close(fd_);
    }
    uint16_t port = 0;
    std::atomic<int> connections{0};
    SendLog sent;

  private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 20) <= 0) continue;
            const int c = accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            ++connections;
            serve_connection(c);
            close(c);
        }
    }
    void serve_connection(int c) {
        std::vector<uint8_t> in;
        uint8_t buf[4096];
        while (!stop_) {
            pollfd p{c, POLLIN, 0};
            if (poll(&p, 1, 20) <= 0) continue;
            const ssize_t n = read(c, buf, sizeof buf);
            if (n <= 0) return;
            in.insert(in.end(), buf, buf + n);
            while (in.size() >= 2 && in.size() >= 2 + ((size_t{in[0]} << 8) | in[1])) {
                const size_t len = (size_t{in[0]} << 8) | in[1];
                const auto reply = soa_reply(in.data() + 2, len);
                in.erase(in.begin(), in.begin() + static_cast<long>(2 + len));
                std::vector<uint8_t> framed{static_cast<uint8_t>(reply.size() >> 8),
                                            static_cast<uint8_t>(reply.size() & 0xff)};
                framed.insert(framed.end(), reply.begin(), reply.end());
                if (write(c, framed.data(), framed.size()) < 0) return;
                sent.add();
            }
        }
    }
    int fd_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

ProbeRequest request(uint16_t port, Transport t) {
    ProbeRequest r;
    r.target.address = "127.0.0.1";
    r.target.port = port;
    r.target.transport = t;
    r.query.name = "shop.test";
    r.timeout = 2000ms;
    return r;
}

/// Keep the CPU busy (not asleep): the loop is working, as when it parses or sets up channels.
void burn(std::chrono::milliseconds d) {
    const auto until = SteadyClock::now() + d;
    volatile uint64_t x = 0;
    while (SteadyClock::now() < until) x = x + 1;
}

/// A finished probe, when it was submitted, and how long after that the engine called back.
struct Timed {
    ProbeResult result;
    WireTime submitted{};
    std::chrono::nanoseconds loop_delay{0};
};

/// Slack for reading two clocks in two threads; far below the delays the loop adds.
constexpr auto kSlack = 500us;

double ms(std::chrono::nanoseconds d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

TEST_CASE("engine: UDP RTT leaves out the time the loop spent on other probes' callbacks",
          "[engine][wire_rtt]") {
    UdpServer first_server, followup_server;
    ProbeEngine engine;
    constexpr int kProbes = 8;
    constexpr auto kBurn = 15ms;
    std::vector<Timed> followups;
    // Each first probe's callback sends a follow-up, then burns kBurn: the follow-up's reply is
    // back within microseconds but waits in the socket until every callback of the batch has run.
    for (int i = 0; i < kProbes; ++i) {
        engine.submit(request(first_server.port, Transport::udp), [&](ProbeResult& first) {
            CHECK(first.outcome == Outcome::ok);
            const WireTime submitted = wire_now();
            const auto start = SteadyClock::now();
            engine.submit(request(followup_server.port, Transport::udp),
                          [&followups, submitted, start](ProbeResult& r) {
                              followups.push_back({r, submitted, SteadyClock::now() - start});
                          });
            burn(kBurn);
        });
    }
    engine.run_until_idle();
    REQUIRE(followups.size() == kProbes);
    // One socket, one server thread: the follow-ups were answered in the order they were sent.
    std::sort(followups.begin(), followups.end(),
              [](const Timed& a, const Timed& b) { return a.submitted < b.submitted; });
    const std::vector<WireTime> replied = followup_server.sent.times(kProbes);
    REQUIRE(replied.size() == kProbes);
    for (size_t i = 0; i < followups.size(); ++i) {
        const Timed& t = followups[i];
        const auto true_bound = replied[i] - t.submitted;  // submit to reply sent: contains the RTT
        INFO(describe(t.result) << "; server replied " << ms(true_bound)
                                << " ms after submit, engine called back " << ms(t.loop_delay)
                                << " ms after");
        CHECK(t.result.outcome == Outcome::ok);
        CHECK(t.loop_delay >= kBurn);  // the loop really was busy for the whole burn
        CHECK(t.result.rtt > 0ns);
        // Never the time the reply then waited in the socket for the busy loop.
        CHECK(t.result.rtt <= true_bound + kSlack);
        CHECK_FALSE(t.result.connect_time.has_value());
    }
}

TEST_CASE("engine: a new TCP connection reports its handshake apart, a kept one none",
          "[engine][wire_rtt]") {
    TcpServer server;
    ProbeEngine engine;
    const WireTime before_first = wire_now();
    const std::vector<ProbeResult> first = engine.run_batch({request(server.port, Transport::tcp)});
    REQUIRE(first.size() == 1);
    INFO(describe(first[0]));
    CHECK(first[0].outcome == Outcome::ok);
    // The handshake is the kernel's on both sides (no server thread involved): loopback-fast.
    REQUIRE(first[0].connect_time.has_value());
    CHECK(*first[0].connect_time > 0ns);
    CHECK(*first[0].connect_time < 5ms);
    CHECK(first[0].rtt > 0ns);
    REQUIRE(server.sent.times(1).size() == 1);
    // Not bounded by the server's send time like the others: the very first reply of a process
    // may be stamped at its read, because the kernel turns timestamping on a moment after the
    // first socket asks (a deferred static key).
    CHECK(server.sent.times(1).size() == 1);
    CHECK(first[0].rtt < std::chrono::nanoseconds(wire_now() - before_first));

    const WireTime before_kept = wire_now();
    const std::vector<ProbeResult> kept = engine.run_batch({request(server.port, Transport::tcp)});
    REQUIRE(kept.size() == 1);
    INFO(describe(kept[0]));
    CHECK(kept[0].outcome == Outcome::ok);
    CHECK_FALSE(kept[0].connect_time.has_value());
    CHECK(kept[0].rtt > 0ns);
    REQUIRE(server.sent.times(2).size() == 2);
    CHECK(kept[0].rtt <= server.sent.times(2)[1] - before_kept + kSlack);
    CHECK(server.connections == 1);
}

TEST_CASE("engine: TCP probes queued while a connection opens all waited for its handshake",
          "[engine][wire_rtt]") {
    TcpServer server;
    ProbeEngine engine;
    const auto results = engine.run_batch(
        {request(server.port, Transport::tcp), request(server.port, Transport::tcp)});
    REQUIRE(results.size() == 2);
    for (const auto& r : results) {
        INFO(describe(r));
        CHECK(r.outcome == Outcome::ok);
        REQUIRE(r.connect_time.has_value());
        CHECK(r.rtt > 0ns);
    }
    CHECK(results[0].connect_time == results[1].connect_time);  // one connection, one handshake
    CHECK(server.connections == 1);
}

TEST_CASE("engine: TCP RTT on a kept connection leaves out a busy loop", "[engine][wire_rtt]") {
    UdpServer udp;
    TcpServer tcp;
    ProbeEngine engine;
    engine.run_batch({request(tcp.port, Transport::tcp)});  // opens the connection
    Timed tcp_probe;
    engine.submit(request(udp.port, Transport::udp), [&](ProbeResult& first) {
        CHECK(first.outcome == Outcome::ok);
        const WireTime submitted = wire_now();
        const auto start = SteadyClock::now();
        engine.submit(request(tcp.port, Transport::tcp),
                      [&tcp_probe, submitted, start](ProbeResult& r) {
                          tcp_probe = {r, submitted, SteadyClock::now() - start};
                      });
        burn(20ms);
    });
    engine.run_until_idle();
    const std::vector<WireTime> replied = tcp.sent.times(2);
    REQUIRE(replied.size() == 2);
    INFO(describe(tcp_probe.result)
         << "; server replied " << ms(replied[1] - tcp_probe.submitted)
         << " ms after submit, engine called back " << ms(tcp_probe.loop_delay) << " ms after");
    CHECK(tcp_probe.result.outcome == Outcome::ok);
    CHECK(tcp_probe.loop_delay >= 20ms);
    CHECK_FALSE(tcp_probe.result.connect_time.has_value());
    CHECK(tcp_probe.result.rtt > 0ns);
    // c-ares writes a TCP query when the socket is next writable, i.e. after the burn: the RTT
    // starts there, and ends before the server's reply was sent.
    CHECK(tcp_probe.result.rtt <= replied[1] - tcp_probe.submitted + kSlack);
    CHECK(tcp_probe.result.rtt < tcp_probe.loop_delay);
    CHECK(tcp.connections == 1);
}
