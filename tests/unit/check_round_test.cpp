// cli/check_round: check's one round over many zones that share one nameserver address, against
// our own server (tests/tools/baddns.cpp, mode ok) on a loopback port; no lab. Each zone must get
// exactly its own probes, each sent once, whether the round keeps a window of probes in flight
// (probe.max_in_flight) or, with a window above the zones' probes, sends them all at once: more
// TCP queries queued on one connection than c-ares can hand to one writev (IOV_MAX, 1,024) once
// made every TCP probe past the 1,024th fail and be resent over and over. (All at once over UDP
// would only measure the server's receive buffer, so that case is TCP only.)
#include "cli/check_round.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../tools/baddns_process.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

/// Zone i of a test round: shop.test itself, then names under it (which the server answers
/// NXDOMAIN, authoritatively), with one static nameserver on `port`; its name is added to `zones`.
void add_zone(Config& config, std::vector<std::string>& zones, size_t i, uint16_t port) {
    const std::string name = i == 0 ? "shop.test" : "z" + std::to_string(i) + ".shop.test";
    ZoneConfig z;
    z.name = name;
    z.nameservers = {StaticNameserver{"ns1.alpha.test", {"127.0.0.1"}, "alpha", port}};
    config.zones.push_back(z);
    zones.push_back(name);
}

void check_round_over(size_t n_zones, int max_in_flight, bool udp) {
    test::BadDns server("ok", "shop.test");
    Config config;
    config.probe.timeout = 3000ms;
    config.probe.max_in_flight = max_in_flight;
    std::vector<std::string> zones;
    for (size_t i = 0; i < n_zones; ++i) add_zone(config, zones, i, server.port());
    ProbeEngine engine;
    test::Watchdog watchdog("check_round over many zones", std::chrono::seconds(30));
    RoundOptions round;
    round.udp = udp;
    const size_t per_zone = udp ? 2 : 1;
    const auto views = check_round(engine, config, zones, {}, round);

    REQUIRE(views.size() == n_zones);
    CHECK(engine.stats().sent == per_zone * n_zones);  // no probe sent twice
    size_t answered = 0;
    for (size_t i = 0; i < n_zones; ++i) {
        const ZoneView& v = views[i];
        INFO(zones[i]);
        CHECK(v.delegation.zone == zones[i]);
        CHECK(v.delegation.from_config);
        REQUIRE(v.results.size() == per_zone);
        // Sorted for display: UDP before TCP.
        if (udp) CHECK(v.results[0].target.transport == Transport::udp);
        CHECK(v.results.back().target.transport == Transport::tcp);
        for (const auto& r : v.results) {
            CHECK(r.target.zone == zones[i]);
            CHECK(r.query.name == zones[i]);
            if (r.answered() && r.aa) ++answered;
        }
    }
    CHECK(answered == per_zone * n_zones);
    for (const auto& r : views[0].results) {
        CHECK(r.outcome == Outcome::ok);
        CHECK(r.soa.has_value());
    }
    CHECK(views[0].verdict.zone == "shop.test");
    for (const auto& r : views[1].results) CHECK(r.outcome == Outcome::nxdomain);
}

}  // namespace

TEST_CASE("check's round over 1,500 zones on one address, 200 probes in flight at a time",
          "[check]") {
    check_round_over(1500, 200, true);
}

TEST_CASE("check's round over 1,500 zones on one address, all 1,500 TCP probes sent at once",
          "[check]") {
    check_round_over(1500, 10000, false);
}

TEST_CASE(
    "check's round hands each zone over once, in the order of the zones, whatever answers "
    "first",
    "[check]") {
    // z1's server never answers (its probes time out after the zones after it are done), z2's
    // sets TC on every UDP answer (the engine retries over TCP: two callbacks for that probe).
    test::BadDns ok("ok", "shop.test");
    test::BadDns silent("silent", "shop.test");
    test::BadDns tc("tc-always", "shop.test");
    Config config;
    config.probe.timeout = 500ms;
    config.probe.max_in_flight = 4;  // a window of two zones
    std::vector<std::string> zones;
    for (size_t i = 0; i < 12; ++i) {
        const test::BadDns& server = i == 1 ? silent : i == 2 ? tc : ok;
        add_zone(config, zones, i, server.port());
    }
    ProbeEngine engine;
    test::Watchdog watchdog("check_round_each", std::chrono::seconds(30));
    std::vector<size_t> order;
    std::vector<size_t> results;
    std::vector<std::string> statuses;
    check_round_each(engine, config, zones, {}, RoundOptions{}, [&](size_t i, ZoneView& v) {
        order.push_back(i);
        results.push_back(v.results.size());
        CHECK(v.delegation.zone == zones[i]);
        CHECK(v.verdict.zone == zones[i]);
        for (const auto& r : v.results) CHECK(r.target.zone == zones[i]);
        statuses.emplace_back(to_string(v.verdict.status));
        v = ZoneView{};  // a caller may take the view's contents: the next zone gets its own
    });
    REQUIRE(order.size() == zones.size());
    for (size_t i = 0; i < order.size(); ++i) CHECK(order[i] == i);
    CHECK(results[0] == 2);
    CHECK(results[1] == 2);
    CHECK(results[2] == 3);  // UDP truncated, its TCP retry, the TCP probe
    for (size_t i = 3; i < results.size(); ++i) CHECK(results[i] == 2);
    CHECK(statuses[0] != "CRITICAL");  // answered (WARNING: one nameserver only)
    CHECK(statuses[1] == "CRITICAL");  // no answer at all
    CHECK(engine.outstanding() == 0);

    // check_round collects the same zones, judged the same way.
    ProbeEngine again;
    const auto views = check_round(again, config, zones, {}, RoundOptions{});
    REQUIRE(views.size() == zones.size());
    for (size_t i = 0; i < views.size(); ++i) {
        INFO(zones[i]);
        CHECK(views[i].results.size() == results[i]);
        CHECK(to_string(views[i].verdict.status) == statuses[i]);
    }
}
