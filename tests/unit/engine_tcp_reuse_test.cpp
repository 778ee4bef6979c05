// The engine keeps a channel's TCP connection between probes (ARES_FLAG_STAYOPEN), and a probe
// written to a kept connection the server has meanwhile closed is sent again on a new one instead
// of being reported as a network error. A small TCP DNS server in a thread counts connections; the
// replies are built with ldns from the query.
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

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "loopback_socket.hpp"
#include "prober/engine.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

/// An authoritative SOA reply to `query` (wire format), or empty if it does not parse.
std::vector<uint8_t> soa_reply(const std::vector<uint8_t>& query) {
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, query.data(), query.size()) != LDNS_STATUS_OK) return {};
    ldns_pkt_set_qr(pkt, true);
    ldns_pkt_set_aa(pkt, true);
    ldns_rr* soa = nullptr;
    ldns_rr_new_frm_str(&soa,
                        "shop.test. 300 IN SOA ns1.shop.test. admin.shop.test. 7 60 30 600 60", 0,
                        nullptr, nullptr);
    ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, soa);
    uint8_t* wire = nullptr;
    size_t size = 0;
    std::vector<uint8_t> out;
    if (ldns_pkt2wire(&wire, pkt, &size) == LDNS_STATUS_OK) out.assign(wire, wire + size);
    free(wire);
    ldns_pkt_free(pkt);
    return out;
}

bool read_all(int fd, uint8_t* buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        const ssize_t r = ::read(fd, buf + got, n - got);
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
    }
    return true;
}

/// Serves SOA over TCP on 127.0.0.1, one connection at a time. `close_after_reply`: every
/// connection is closed right after its first reply (as a server's idle timeout would).
class TcpServer {
  public:
    explicit TcpServer(bool close_after_reply) : close_after_reply_(close_after_reply) {
        listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
        port = ntohs(test::bind_loopback(listen_fd_).sin_port);
        REQUIRE(listen(listen_fd_, 8) == 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~TcpServer() {
        stop_ = true;
        thread_.join();
        close(listen_fd_);
    }

    uint16_t port = 0;
    std::atomic<int> connections{0};
    std::atomic<int> queries{0};

  private:
    void serve() {
        while (!stop_) {
            pollfd p{listen_fd_, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0) continue;
            const int fd = accept(listen_fd_, nullptr, nullptr);
            if (fd < 0) continue;
            ++connections;
            serve_connection(fd);
            close(fd);
        }
    }
    void serve_connection(int fd) {
        while (!stop_) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0) continue;
            uint8_t prefix[2];
            if (!read_all(fd, prefix, 2)) return;  // the client closed
            std::vector<uint8_t> query((size_t{prefix[0]} << 8) | prefix[1]);
            if (!read_all(fd, query.data(), query.size())) return;
            ++queries;
            const std::vector<uint8_t> reply = soa_reply(query);
            std::vector<uint8_t> framed{static_cast<uint8_t>(reply.size() >> 8),
                                        static_cast<uint8_t>(reply.size() & 0xff)};
            framed.insert(framed.end(), reply.begin(), reply.end());
            if (::write(fd, framed.data(), framed.size()) < 0) return;
            if (close_after_reply_) return;
        }
    }

    bool close_after_reply_;
    int listen_fd_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

ProbeResult probe_once(ProbeEngine& engine, uint16_t port) {
    ProbeRequest r;
    r.target.address = "127.0.0.1";
    r.target.port = port;
    r.target.transport = Transport::tcp;
    r.query.name = "shop.test";
    r.timeout = 1000ms;
    ProbeResult out;
    engine.submit(r, [&out](const ProbeResult& res) { out = res; });
    engine.run_until_idle();
    return out;
}

}  // namespace

TEST_CASE("engine: consecutive TCP probes to one server share one connection", "[engine]") {
    TcpServer server(false);
    ProbeEngine engine;
    for (int i = 0; i < 3; ++i) {
        const ProbeResult r = probe_once(engine, server.port);
        INFO(describe(r));
        CHECK(r.outcome == Outcome::ok);
        REQUIRE(r.soa.has_value());
        CHECK(r.soa->serial == 7u);
    }
    CHECK(server.queries == 3);
    CHECK(server.connections == 1);
    CHECK(engine.stats().sent == 3);
}

TEST_CASE("engine: a kept TCP connection the server closed is replaced, not a failed probe",
          "[engine]") {
    TcpServer server(true);
    ProbeEngine engine;
    const ProbeResult first = probe_once(engine, server.port);
    CHECK(first.outcome == Outcome::ok);
    // The server has closed the connection; the engine has not run since, so it has not noticed
    // and writes the next probe to the closed connection.
    std::this_thread::sleep_for(100ms);
    const ProbeResult second = probe_once(engine, server.port);
    INFO(describe(second));
    CHECK(second.outcome == Outcome::ok);
    REQUIRE(second.soa.has_value());
    CHECK(second.soa->serial == 7u);
    CHECK(server.connections == 2);
    CHECK(server.queries == 2);
}

TEST_CASE("engine: a channel unused for the idle limit is closed and opened again when needed",
          "[engine]") {
    TcpServer server(false);
    ProbeEngine engine;
    engine.set_idle_channel_limit(50ms);
    CHECK(probe_once(engine, server.port).outcome == Outcome::ok);
    CHECK(probe_once(engine, server.port).outcome == Outcome::ok);  // within the limit: same one
    CHECK(server.connections == 1);
    // Idle past the limit: the sweep closes the channel and its connection.
    const auto until = std::chrono::steady_clock::now() + 200ms;
    while (std::chrono::steady_clock::now() < until) engine.run_once(10ms);
    CHECK(engine.stats().channels_closed == 1);
    const ProbeResult again = probe_once(engine, server.port);
    INFO(describe(again));
    CHECK(again.outcome == Outcome::ok);
    CHECK(server.connections == 2);
    CHECK(engine.stats().channels == 2);
}

TEST_CASE("engine: more TCP probes queued on one connection than writev takes at once all end ok",
          "[engine]") {
    // c-ares writes every queued query in one writev; past IOV_MAX (1024) that call fails, and a
    // one-shot check of a few thousand zones on one server used to lose most of its TCP probes
    // (and spend quadratic time resending them).
    TcpServer server(false);
    ProbeEngine engine;
    constexpr int kProbes = 2500;
    ProbeRequest r;
    r.target.address = "127.0.0.1";
    r.target.port = server.port;
    r.target.transport = Transport::tcp;
    r.query.name = "shop.test";
    r.timeout = 5000ms;
    std::vector<ProbeResult> results;
    for (int i = 0; i < kProbes; ++i)
        engine.submit(r, [&results](ProbeResult& res) { results.push_back(std::move(res)); });
    engine.run_until_idle();
    REQUIRE(results.size() == static_cast<size_t>(kProbes));
    size_t ok = 0;
    for (const auto& res : results) {
        if (res.outcome == Outcome::ok && res.soa && res.soa->serial == 7u) ++ok;
    }
    CHECK(ok == static_cast<size_t>(kProbes));
    CHECK(server.queries == kProbes);
    CHECK(server.connections == 1);
    CHECK(engine.stats().sent == static_cast<uint64_t>(kProbes));  // none sent twice
}
