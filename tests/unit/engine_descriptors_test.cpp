// The engine within a descriptor budget: at most set_max_open_channels sockets kept (the idle
// channel used longest ago is closed for a new one), and a probe that cannot get a descriptor ends
// as local_error naming the limit, never as the server's network_error. UDP sockets on loopback
// that never answer stand in for servers (each probe is a timeout: the socket is what matters).
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "loopback_socket.hpp"
#include "prober/engine.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

using Silent = test::LoopbackSocket;  // a UDP socket that never answers

ProbeRequest probe_to(uint16_t port) {
    ProbeRequest r;
    r.target.address = "127.0.0.1";
    r.target.port = port;
    r.query.name = "shop.test";
    r.timeout = 50ms;
    return r;
}

size_t open_descriptors() {
    size_t n = 0;
    DIR* d = opendir("/proc/self/fd");
    while (readdir(d) != nullptr) ++n;
    closedir(d);
    return n - 3;  // ".", ".." and the directory's own descriptor
}

}  // namespace

TEST_CASE("engine descriptors: 12 servers through at most 3 kept sockets",
          "[engine][descriptors]") {
    std::vector<Silent> servers(12);
    ProbeEngine engine;
    engine.set_max_open_channels(3);
    engine.set_max_in_flight(3);
    const size_t before = open_descriptors();
    std::vector<ProbeResult> results;
    size_t most_open = 0;
    for (const auto& s : servers) {
        engine.submit(probe_to(s.port), [&](ProbeResult& r) { results.push_back(r); });
    }
    while (engine.outstanding() > 0) {
        engine.run_once(5ms);
        const size_t now_open = open_descriptors();
        if (now_open > before) most_open = std::max(most_open, now_open - before);
    }
    REQUIRE(results.size() == 12);
    for (const auto& r : results) CHECK(r.outcome == Outcome::timeout);
    CHECK(most_open <= 3);
    CHECK(engine.stats().channels == 12);
    CHECK(engine.stats().channels_closed == 9);
    // The same server again reuses its channel when it is still one of the 3 kept.
    engine.run_batch({probe_to(servers.back().port)});
    CHECK(engine.stats().channels == 12);
}

TEST_CASE("engine descriptors: no descriptor left is local_error naming the limit",
          "[engine][descriptors]") {
    Silent server;
    ProbeEngine engine;
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    // Fill every descriptor below a lowered soft limit.
    rlimit low = saved;
    low.rlim_cur = open_descriptors() + 16;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    std::vector<int> fillers;
    for (int fd; (fd = dup(0)) >= 0;) fillers.push_back(fd);
    const auto starved = engine.run_batch({probe_to(server.port)});
    for (int fd : fillers) close(fd);
    setrlimit(RLIMIT_NOFILE, &saved);
    REQUIRE(starved.size() == 1);
    CHECK(starved[0].outcome == Outcome::local_error);
    CHECK(to_string(starved[0].outcome) == "local_error");
    CHECK(starved[0].detail.find("no file descriptor: open-files limit " +
                                 std::to_string(low.rlim_cur) + " reached") != std::string::npos);
    // Descriptors free again: the next probe goes out (and meets the silent server's timeout).
    const auto later = engine.run_batch({probe_to(server.port)});
    REQUIRE(later.size() == 1);
    CHECK(later[0].outcome == Outcome::timeout);
}
