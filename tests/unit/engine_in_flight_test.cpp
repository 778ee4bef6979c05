// The engine's in-flight limit: probes beyond it wait, and are sent as earlier ones finish. A UDP
// socket on loopback that never answers stands in for a black-holing server, so every probe lasts
// exactly its timeout and the waves are visible in the elapsed time.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "prober/engine.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

struct BlackHole {
    int fd = -1;
    uint16_t port = 0;
    BlackHole() {
        fd = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        socklen_t len = sizeof sa;
        getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
        port = ntohs(sa.sin_port);
    }
    ~BlackHole() { close(fd); }
};

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
