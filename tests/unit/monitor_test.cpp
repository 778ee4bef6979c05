// The monitor's schedule on a virtual clock: when rounds start, how zones due together wait for
// room in the engine, when delegations are read again, and that what it records carries the
// clock's time. The probes are real (UDP to our own server, tests/tools/baddns.cpp, on loopback);
// only the schedule's time is virtual, so no test waits for an interval to pass.
#include "monitor/monitor.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "../tools/baddns_process.hpp"
#include "config/config.hpp"
#include "monitor/clock.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
using test::BadDns;

namespace {

/// A clock that moves only when told to.
class ManualClock final : public Clock {
  public:
    Steady::time_point steady() const override { return steady_; }
    Wall::time_point wall() const override { return wall_; }
    void advance(std::chrono::milliseconds d) {
        steady_ += d;
        wall_ += d;
    }

  private:
    Steady::time_point steady_{std::chrono::hours(1000)};
    // 2001-09-09T01:46:40Z: far from today, so a real clock read by mistake shows.
    Wall::time_point wall_{std::chrono::seconds(1'000'000'000)};
};

/// Config for `zones`, each with one static nameserver at 127.0.0.1:`port`.
/// `probe` holds the probe: settings besides interval, timeout and tcp_every.
std::string config_yaml(const std::vector<std::string>& zones, uint16_t port,
                        const std::string& probe = "  jitter: 0\n", const std::string& top = "") {
    std::string y = "probe:\n  interval: 60s\n  timeout: 500ms\n  tcp_every: 0\n" + probe +
                    "discovery:\n  interval: 1h\n" + top + "zones:\n";
    for (const auto& z : zones) {
        y += "  - name: " + z + "\n    nameservers:\n      - name: ns1." + z +
             "\n        addresses: [127.0.0.1]\n        port: " + std::to_string(port) + "\n";
    }
    return y;
}

/// Collects the zone of every SOA result, in the order the monitor hands them to its sinks.
struct Results {
    std::mutex mutex;
    std::vector<std::string> zones;
    ResultSink sink() {
        return [this](const ProbeResult& r) {
            std::lock_guard lock(mutex);
            zones.push_back(r.target.zone);
        };
    }
};

/// Pass the monitor's loop (real time for the probes, the virtual clock standing still) until
/// `done` holds; fails the test after 10 s.
void pump_until(Monitor& m, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) FAIL("not reached within 10 s");
        m.step(20ms);
    }
}

/// Pass the loop for a while of real time, the virtual clock standing still: anything that would
/// start now has started and finished by the end.
void pump_for(Monitor& m, std::chrono::milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) m.step(20ms);
}

}  // namespace

TEST_CASE("monitor: rounds start every probe.interval on the monitor's clock, not before",
          "[monitor]") {
    BadDns server("ok");
    ManualClock clock;
    Monitor m(load_config_string(config_yaml({"shop.test"}, server.port()), "test"), {}, clock);
    pump_until(m, [&] { return m.rounds_completed() == 1; });
    clock.advance(59s);
    pump_for(m, 300ms);
    CHECK(m.rounds_completed() == 1);
    clock.advance(1s);
    pump_until(m, [&] { return m.rounds_completed() == 2; });
    clock.advance(60s);
    pump_until(m, [&] { return m.rounds_completed() == 3; });
    pump_for(m, 200ms);
    CHECK(m.rounds_completed() == 3);
}

TEST_CASE("monitor: jitter makes rounds start late by less than probe.jitter x interval",
          "[monitor]") {
    BadDns server("ok");
    ManualClock clock;
    std::vector<std::string> zones;
    for (int i = 0; i < 10; ++i) zones.push_back("z" + std::to_string(i) + ".test");
    Monitor m(load_config_string(config_yaml(zones, server.port(), "  jitter: 0.5\n"), "test"), {},
              clock);
    pump_until(m, [&] { return m.rounds_completed() == 10; });  // the first rounds: at once
    clock.advance(60s);
    pump_for(m, 300ms);
    // Ten uniform delays in [0, 30 s) all under the step of 1 ms: odds of 1 in 30,000^10.
    CHECK(m.rounds_completed() < 20);
    clock.advance(30s);  // 90 s: every second round has started, however late its jitter
    pump_until(m, [&] { return m.rounds_completed() == 20; });
}

TEST_CASE("monitor: a round that runs past the next start is followed at once, the cadence kept",
          "[monitor]") {
    BadDns server("silent");  // every probe waits for its timeout (500 ms of real time)
    ManualClock clock;
    Monitor m(load_config_string(config_yaml({"shop.test"}, server.port()), "test"), {}, clock);
    m.step(1ms);         // round 1 starts at 0 s
    clock.advance(61s);  // while it waits for its replies, its successor's start (60 s) passes
    pump_until(m, [&] { return m.rounds_completed() == 1; });
    // Round 2 started when round 1 ended (61 s), but its successor is due 60 s after round 2's
    // start, not later: 121 s.
    pump_until(m, [&] { return m.rounds_completed() == 2; });
    clock.advance(59s);  // 120 s
    pump_for(m, 700ms);
    CHECK(m.rounds_completed() == 2);
    clock.advance(1s);  // 121 s
    pump_until(m, [&] { return m.rounds_completed() == 3; });
}

TEST_CASE("monitor: zones due together wait for room in the engine and start in turn",
          "[monitor]") {
    BadDns server("ok");
    ManualClock clock;
    std::vector<std::string> zones;
    for (int i = 0; i < 12; ++i) zones.push_back("z" + std::to_string(10 + i) + ".test");
    Results results;
    // One probe on the wire at a time: rounds start while fewer than 4 x 1 probes wait.
    Monitor m(load_config_string(
                  config_yaml(zones, server.port(), "  jitter: 0\n  max_in_flight: 1\n"), "test"),
              {results.sink()}, clock);
    m.step(1ms);
    CHECK(m.held_rounds() > 0);
    CHECK(m.held_rounds() < zones.size());
    pump_until(m, [&] { return m.rounds_completed() == zones.size(); });
    CHECK(m.held_rounds() == 0);
    // Due together, started in the order the zones were queued (by name), none skipped, none twice.
    CHECK(results.zones == zones);
}

TEST_CASE("monitor: static nameservers are read again every discovery.interval", "[monitor]") {
    BadDns server("ok");
    ManualClock clock;
    Monitor m(load_config_string(config_yaml({"shop.test"}, server.port()), "test"), {}, clock);
    pump_until(m, [&] { return m.rounds_completed() == 1; });
    CHECK(m.discoveries_completed() == 1);
    for (int minute = 1; minute < 60; ++minute) {
        clock.advance(60s);
        pump_until(m, [&] { return m.rounds_completed() == static_cast<uint64_t>(minute + 1); });
    }
    CHECK(m.discoveries_completed() == 1);
    clock.advance(60s);  // 1 h
    pump_until(m, [&] { return m.rounds_completed() == 61; });
    CHECK(m.discoveries_completed() == 2);
}

TEST_CASE("monitor: a REFUSED answer brings discovery forward, at most once in 5 minutes",
          "[monitor]") {
    BadDns server("refused");
    ManualClock clock;
    Monitor m(load_config_string(config_yaml({"shop.test"}, server.port()), "test"), {}, clock);
    pump_until(m, [&] { return m.rounds_completed() == 1; });
    // The scheduled discovery at start, then the early one the REFUSED brought forward.
    pump_until(m, [&] { return m.discoveries_completed() == 2; });
    for (int round = 2; round <= 5; ++round) {  // 1 to 4 minutes: refused again, no discovery
        clock.advance(60s);
        pump_until(m, [&] { return m.rounds_completed() == static_cast<uint64_t>(round); });
        pump_for(m, 50ms);
        CHECK(m.discoveries_completed() == 2);
    }
    clock.advance(60s);  // round 6 at 5 minutes: not yet more than 5 minutes since the last one
    pump_until(m, [&] { return m.rounds_completed() == 6; });
    pump_for(m, 50ms);
    CHECK(m.discoveries_completed() == 2);
    clock.advance(60s);  // round 7 at 6 minutes
    pump_until(m, [&] { return m.discoveries_completed() == 3; });
}

TEST_CASE("monitor: a failed discovery is tried again after 30 s, not at the interval",
          "[monitor]") {
    // The only root hint is an address where nothing listens: every discovery fails at once.
    const std::string hints = "/tmp/nswatch-monitor-test-hints";
    std::ofstream(hints) << ".            3600000 NS a.root.test.\n"
                            "a.root.test. 3600000 A  127.0.0.211\n";
    ManualClock clock;
    Monitor m(load_config_string("probe:\n  timeout: 300ms\ndiscovery:\n  interval: 1h\n"
                                 "  timeout: 300ms\nroot_hints: " +
                                     hints + "\nzones:\n  - shop.test\n",
                                 "test"),
              {}, clock);
    pump_until(m, [&] { return m.discoveries_completed() == 1; });
    clock.advance(29s);
    pump_for(m, 1000ms);
    CHECK(m.discoveries_completed() == 1);
    clock.advance(1s);
    pump_until(m, [&] { return m.discoveries_completed() == 2; });
    CHECK(m.rounds_completed() == 0);  // nothing to probe: no nameserver was ever found
    std::remove(hints.c_str());
}

TEST_CASE("monitor: what it records carries the wall time of its clock", "[monitor]") {
    BadDns server("ok");
    ManualClock clock;
    Monitor m(load_config_string(config_yaml({"shop.test"}, server.port()), "test"), {}, clock);
    const auto round_time = clock.wall();  // 2001: a real clock read on the way would show
    pump_until(m, [&] { return m.rounds_completed() == 1; });
    clock.advance(1s);  // snapshots are published at most every 500 ms of the clock
    pump_until(m, [&] { return m.snapshot()->zones[0].rounds == 1; });
    const auto snap = m.snapshot();
    CHECK((snap->taken == round_time || snap->taken == clock.wall()));
    const ZoneState& z = snap->zones[0];
    REQUIRE(z.newest_serial.has_value());
    CHECK(z.newest_first_seen == round_time);
    CHECK(z.delegation.discovered == round_time);
    CHECK(z.updated == round_time);
}
