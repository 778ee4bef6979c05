// ParallelProbeEngine against our own server (tests/tools/baddns) on loopback: probes run on the
// engine's threads, callbacks on the caller's, and a target always lands on the same thread.
#include "prober/parallel_engine.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../tools/baddns_process.hpp"
#include "dns/probe_result.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
using test::BadDns;
using test::Watchdog;

namespace {

constexpr std::chrono::seconds kWatchdog{20};

ProbeRequest request_to(uint16_t port, const std::string& zone_label,
                        Transport transport = Transport::udp) {
    ProbeRequest r;
    // The target's zone picks the thread; the question stays the one baddns serves.
    r.target.zone = zone_label;
    r.target.nameserver = "baddns.test";
    r.target.address = "127.0.0.1";
    r.target.port = port;
    r.target.transport = transport;
    r.query.name = "shop.test";
    r.timeout = 2000ms;
    return r;
}

}  // namespace

TEST_CASE("parallel engine: every probe answered, callbacks on the caller's thread",
          "[engine][parallel]") {
    BadDns server("ok");
    ParallelProbeEngine engine(3);
    REQUIRE(engine.threads() == 3);
    const auto caller = std::this_thread::get_id();
    std::vector<ProbeResult> results;
    std::set<std::thread::id> callback_threads;
    // A closed loop, as a sweep runs: each of the first 100 callbacks submits one more probe.
    size_t submitted = 0;
    std::function<void()> submit_one = [&] {
        const std::string zone = "z" + std::to_string(submitted++) + ".test";
        engine.submit(request_to(server.port(), zone), [&](ProbeResult& r) {
            callback_threads.insert(std::this_thread::get_id());
            results.push_back(std::move(r));
            if (submitted < 200) submit_one();
        });
    };
    for (int i = 0; i < 100; ++i) submit_one();
    CHECK(engine.outstanding() == 100);
    {
        Watchdog watchdog("200 probes through 3 threads", kWatchdog);
        engine.run_until_idle();
    }
    INFO(server.log());
    REQUIRE(results.size() == 200);
    CHECK(engine.outstanding() == 0);
    CHECK(callback_threads == std::set<std::thread::id>{caller});
    std::set<std::string> zones;
    for (const auto& r : results) {
        CHECK(to_string(r.outcome) == to_string(Outcome::ok));
        REQUIRE(r.soa.has_value());
        CHECK(r.soa->serial == 2026112201u);
        CHECK(r.nsid == "baddns-1");
        zones.insert(r.target.zone);
    }
    CHECK(zones.size() == 200);  // each result carries its own request's target
    CHECK(server.queries("udp") == 200);
    const EngineStats stats = engine.stats();
    CHECK(stats.sent == 200);
    CHECK(stats.completed == 200);
    // 200 targets spread over the 3 threads: each thread opened its own channel to the server.
    CHECK(stats.channels == 3);
}

TEST_CASE("parallel engine: one target always goes to one thread", "[engine][parallel]") {
    BadDns server("ok");
    ParallelProbeEngine engine(4);
    std::vector<ProbeRequest> same(40, request_to(server.port(), "shop.test"));
    std::vector<ProbeResult> results;
    {
        Watchdog watchdog("40 probes of one target", kWatchdog);
        results = engine.run_batch(same);
    }
    REQUIRE(results.size() == 40);
    for (const auto& r : results) CHECK(to_string(r.outcome) == to_string(Outcome::ok));
    CHECK(engine.stats().channels == 1);  // a single channel: one thread had them all
}

TEST_CASE("parallel engine: a truncated reply, then its TCP retry, to one callback",
          "[engine][parallel]") {
    BadDns server("tc-always");
    ParallelProbeEngine engine(2);
    std::vector<ProbeResult> results;
    std::vector<size_t> outstanding_seen;
    engine.submit(request_to(server.port(), "shop.test"), [&](ProbeResult& r) {
        results.push_back(r);
        outstanding_seen.push_back(engine.outstanding());
    });
    {
        Watchdog watchdog("a TC retry through the parallel engine", kWatchdog);
        engine.run_until_idle();
    }
    INFO(server.log());
    REQUIRE(results.size() == 2);
    CHECK(to_string(results[0].outcome) == to_string(Outcome::truncated));
    CHECK(results[0].target.transport == Transport::udp);
    CHECK_FALSE(results[0].retried_from_tc);
    CHECK(to_string(results[1].outcome) == to_string(Outcome::ok));
    CHECK(results[1].target.transport == Transport::tcp);
    CHECK(results[1].retried_from_tc);
    // The probe stays outstanding through its first result and ends with the second.
    CHECK(outstanding_seen == std::vector<size_t>{1, 0});
    CHECK(server.queries("udp") == 1);
    CHECK(server.queries("tcp") == 1);
}

TEST_CASE("parallel engine: a probe that cannot be sent reports why", "[engine][parallel]") {
    ParallelProbeEngine engine(2);
    ProbeRequest bad = request_to(53, "shop.test");
    bad.query.name = std::string(64, 'a') + ".test";  // a label over 63 octets
    ProbeRequest unknown_vantage = request_to(53, "shop.test");
    unknown_vantage.target.vantage = "nowhere";
    std::vector<ProbeResult> results;
    {
        Watchdog watchdog("probes that cannot be sent", kWatchdog);
        results = engine.run_batch({bad, unknown_vantage});
    }
    REQUIRE(results.size() == 2);
    std::set<std::string> details;
    for (const auto& r : results) {
        CHECK(to_string(r.outcome) == to_string(Outcome::network_error));
        details.insert(r.detail);
    }
    CHECK(details == std::set<std::string>{"not a valid domain name: '" + bad.query.name + "'",
                                           "unknown vantage 'nowhere'"});
    CHECK(engine.outstanding() == 0);
}

TEST_CASE("parallel engine: the in-flight limit is shared out between the threads",
          "[engine][parallel]") {
    BadDns server("silent");
    ParallelProbeEngine engine(2);
    engine.set_max_in_flight(2);  // one per thread
    std::vector<ProbeRequest> requests;
    // Two zones that land on different threads would be luck: one target, so one thread, whose
    // share (1) lets its probes through one at a time.
    for (int i = 0; i < 3; ++i) {
        ProbeRequest r = request_to(server.port(), "shop.test");
        r.timeout = 150ms;
        requests.push_back(r);
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<ProbeResult> results;
    {
        Watchdog watchdog("three silent probes", kWatchdog);
        results = engine.run_batch(requests);
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE(results.size() == 3);
    for (const auto& r : results) CHECK(to_string(r.outcome) == to_string(Outcome::timeout));
    CHECK(elapsed >= 3 * 150ms);  // three waves of one
    CHECK(engine.stats().queued == 2);
}
