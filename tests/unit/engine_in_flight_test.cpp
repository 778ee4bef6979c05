// The engine's in-flight limit: probes beyond it wait, and are sent as earlier ones finish. A UDP
// socket on loopback that never answers stands in for a black-holing server, so every probe lasts
// exactly its timeout and the waves are visible in the elapsed time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "loopback_socket.hpp"
#include "prober/engine.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

using BlackHole = test::LoopbackSocket;  // a UDP socket that never answers

ProbeRequest probe_to(uint16_t port) {
    ProbeRequest r;
    r.target.address = "127.0.0.1";
    r.target.port = port;
    r.query.name = "shop.test";
    r.timeout = 150ms;
    return r;
}

struct Run {
    std::vector<ProbeResult> results;
    std::chrono::steady_clock::duration elapsed{};
    EngineStats stats;
};

Run run_six(size_t limit) {
    BlackHole server;
    ProbeEngine engine;
    engine.set_max_in_flight(limit);
    Run run;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 6; ++i) {
        engine.submit(probe_to(server.port),
                      [&run](const ProbeResult& r) { run.results.push_back(r); });
    }
    engine.run_until_idle();
    run.elapsed = std::chrono::steady_clock::now() - start;
    run.stats = engine.stats();
    return run;
}

}  // namespace

TEST_CASE("engine: probes beyond the in-flight limit wait their turn", "[engine]") {
    const Run run = run_six(2);
    REQUIRE(run.results.size() == 6);
    for (const auto& r : run.results) {
        CHECK(r.outcome == Outcome::timeout);
        // The timeout starts when the probe is sent, not when it was submitted.
        CHECK(r.rtt < 400ms);
    }
    CHECK(run.stats.queued == 4);
    CHECK(run.stats.sent == 6);
    // Three waves of two probes, each lasting one timeout.
    CHECK(run.elapsed >= 3 * 150ms);
}

TEST_CASE("engine: without a limit every probe is on the wire at once", "[engine]") {
    const Run run = run_six(0);
    REQUIRE(run.results.size() == 6);
    CHECK(run.stats.queued == 0);
    CHECK(run.elapsed < 3 * 150ms);
}

TEST_CASE("engine: waiting() counts the probes held back by the limit", "[engine]") {
    BlackHole server;
    ProbeEngine engine;
    engine.set_max_in_flight(2);
    size_t done = 0;
    for (int i = 0; i < 5; ++i) engine.submit(probe_to(server.port), [&done](auto&) { ++done; });
    CHECK(engine.waiting() == 3);  // two on the wire
    CHECK(engine.outstanding() == 5);
    engine.run_until_idle();
    CHECK(done == 5);
    CHECK(engine.waiting() == 0);
}

TEST_CASE("engine: more distinct questions than the query cache holds", "[engine]") {
    // The cache is emptied when full: every question must still go out on the wire as asked. The
    // black hole never answers, so its socket holds every datagram sent.
    BlackHole server;
    const int rcv = 4 << 20;
    setsockopt(server.fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    ProbeEngine engine;
    size_t done = 0;
    constexpr int kQuestions = 1500;  // above the cache's 1,024
    for (int i = 0; i < kQuestions; ++i) {
        ProbeRequest r = probe_to(server.port);
        r.query.name = "z" + std::to_string(i) + ".test";
        r.timeout = 50ms;
        engine.submit(std::move(r), [&done](ProbeResult& res) {
            CHECK(res.outcome == Outcome::timeout);
            ++done;
        });
    }
    engine.run_until_idle();
    REQUIRE(done == kQuestions);
    std::set<std::string> asked;
    std::array<uint8_t, 512> buf{};
    for (;;) {
        const ssize_t n = recv(server.fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n <= 12) break;
        std::string name;
        for (size_t at = 12; at < static_cast<size_t>(n) && buf[at] != 0; at += 1 + buf[at]) {
            if (!name.empty()) name += '.';
            name.append(reinterpret_cast<const char*>(&buf[at + 1]), buf[at]);
        }
        asked.insert(name);
    }
    CHECK(asked.size() == kQuestions);
    CHECK(asked.contains("z0.test"));
    CHECK(asked.contains("z1499.test"));
}
