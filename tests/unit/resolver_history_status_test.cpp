// resolver/: the requests of a round (pure), the resolution_probes table (write, load, expiry) and
// the status view folded from history (cli/resolution_status).
#include <catch2/catch.hpp>
#include <sstream>

#include "cli/resolution_status.hpp"
#include "resolver/resolution_history.hpp"
#include "resolver/resolver_prober.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

TEST_CASE("resolver requests: one uncached name per zone and vantage, watched names with RD") {
    ZoneConfig zone;
    zone.name = "shop.test";
    zone.watch = {WatchName{"@", {6, 2}}, WatchName{"www", {1, 28}}};
    ResolutionSettings settings;
    ResolverConfig a{"isp", "192.0.2.53", Family::ipv4, 53, {}};
    ResolverConfig b{"office", "2001:db8::53", Family::ipv6, 5353, {"fra1", "ams1"}};
    settings.resolvers = {a, b};
    settings.timeout = 4s;
    const auto reqs = resolution_requests(zone, settings, "default", "nswatch-00000000000000ff");
    // (1 uncached + NS + www A + www AAAA; the apex SOA is skipped) x (1 + 2 vantages)
    REQUIRE(reqs.size() == 12);
    size_t uncached = 0;
    for (const auto& r : reqs) {
        CHECK(r.query.recursion_desired);
        CHECK_FALSE(r.query.nsid);
        CHECK(r.timeout == 4s);
        CHECK(r.query.type != 6);
        if (r.query.dnssec_ok) {
            ++uncached;
            CHECK(r.query.name == "nswatch-00000000000000ff.shop.test");
            CHECK(r.query.type == 1);
        }
    }
    CHECK(uncached == 3);
    CHECK(reqs[0].target.vantage == "default");
    CHECK(reqs[0].target.nameserver == "isp");
    CHECK(reqs[4].target.vantage == "fra1");
    CHECK(reqs[4].target.port == 5353);
    CHECK(reqs[4].target.family == Family::ipv6);
}

namespace {
ResolutionSample sample(ResolutionPath path, ResolutionOutcome o, double seconds,
                        ResolutionTime at) {
    ResolutionSample s;
    s.zone = "shop.test";
    s.resolver = "isp";
    s.vantage = "default";
    s.path = path;
    s.name = path == ResolutionPath::uncached ? "nswatch-1.shop.test" : "www.shop.test";
    s.outcome = o;
    s.rcode = o == ResolutionOutcome::timeout ? -1 : 3;
    s.seconds = seconds;
    s.at = at;
    s.detail = o == ResolutionOutcome::ok ? "" : "rcode SERVFAIL";
    return s;
}
}  // namespace

TEST_CASE("resolution history: rows written are read back, expired rows are dropped") {
    test::TempDir dir;
    const auto now =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    ResolutionHistory h(dir.file("h.db"), std::chrono::hours(48));
    h.write({sample(ResolutionPath::uncached, ResolutionOutcome::ok, 0.0125, now - 1min),
             sample(ResolutionPath::cached, ResolutionOutcome::mismatch, 0.001, now - 1min),
             sample(ResolutionPath::uncached, ResolutionOutcome::ok, 0.01, now - 72h)});
    const auto rows = h.load(now - 1h, now + 1s);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].path == ResolutionPath::uncached);
    CHECK(rows[0].outcome == ResolutionOutcome::ok);
    CHECK(rows[0].seconds == Approx(0.0125));
    CHECK(rows[0].at == now - 1min);
    CHECK(rows[1].outcome == ResolutionOutcome::mismatch);
    CHECK(rows[1].detail == "rcode SERVFAIL");
    // The 72 h old row was past the 48 h retention when the batch was written.
    CHECK(h.load(now - 100h, now - 1h).empty());
}

TEST_CASE("resolution status: verdict per zone, slower than baseline, failing condition") {
    const auto now = ResolutionTime{} + 1'000'000h;
    ResolutionSettings settings;
    settings.recent_window = 10min;
    settings.baseline_window = 50min;
    std::vector<ResolutionSample> samples;
    for (int i = 0; i < 50; ++i) {
        samples.push_back(sample(ResolutionPath::uncached, ResolutionOutcome::ok, 0.010,
                                 now - 60min + std::chrono::minutes(i)));
    }
    samples.push_back(sample(ResolutionPath::uncached, ResolutionOutcome::ok, 0.400, now - 90s));
    samples.push_back(sample(ResolutionPath::cached, ResolutionOutcome::ok, 0.001, now - 90s));
    auto zones = resolution_from_samples(samples, settings, now);
    REQUIRE(zones.size() == 1);
    CHECK(zones[0].verdict == "yes");
    REQUIRE(zones[0].summaries.size() == 1);
    CHECK(*zones[0].summaries[0].baseline == Approx(0.010));
    std::ostringstream text;
    print_resolution(text, zones, false);
    CHECK_THAT(text.str(), Catch::Contains("users can resolve it: yes"));
    CHECK_THAT(text.str(), Catch::Contains("+390.0 ms (40.0x)"));
    CHECK_THAT(text.str(), Catch::Contains("resolution_slow"));

    samples.push_back(
        sample(ResolutionPath::uncached, ResolutionOutcome::servfail, 1.2, now - 60s));
    samples.push_back(sample(ResolutionPath::uncached, ResolutionOutcome::timeout, 5.0, now - 30s));
    zones = resolution_from_samples(samples, settings, now);
    CHECK(zones[0].verdict == "no");
    const auto j = resolution_json(zones);
    CHECK(j[0]["users_can_resolve"] == "no");
    bool failing = false;
    for (const auto& c : j[0]["conditions"]) failing = failing || c["kind"] == "resolution_failing";
    CHECK(failing);
}
