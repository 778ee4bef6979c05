// cli/status_command: `nswatch status --db` and `--from` say the same words for the same state and
// exit as `nswatch check` would (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN); an instance that cannot
// be reached is named and the others are still shown.
#include <catch2/catch.hpp>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/commands.hpp"
#include "exporter_test_support.hpp"
#include "storage/history.hpp"
#include "temp_dir.hpp"
#include "zonediff/reference_json.hpp"

using namespace nswatch;
using Catch::Matchers::Contains;

namespace {

/// run_status with its standard output captured.
std::pair<int, std::string> status_of(const StatusArgs& args) {
    std::ostringstream out;
    auto* old = std::cout.rdbuf(out.rdbuf());
    const int rc = run_status(args);
    std::cout.rdbuf(old);
    return {rc, out.str()};
}

ProbeResult probe(const std::string& provider, const std::string& address, Outcome outcome,
                  uint32_t serial) {
    ProbeResult r;
    r.target = test::sample_target(provider, "ns." + provider + ".test", address);
    r.query.name = "shop.test";
    r.sent_wall = std::chrono::system_clock::now() - std::chrono::seconds(30);
    r.rtt = std::chrono::microseconds(800);
    r.outcome = outcome;
    if (outcome == Outcome::ok) {
        r.rcode = 0;
        r.aa = true;
        r.soa = SoaFields{"ns.alpha.test.", "h.shop.test.", serial, 3600, 600, 1209600, 300, 300};
    }
    return r;
}

}  // namespace

TEST_CASE("status --db: a provider whose addresses all time out is CRITICAL, in check's words") {
    test::TempDir dir;
    const std::string db = dir.file("history.db");
    {
        HistoryStore store(db);
        store.insert_batch({probe("alpha", "192.0.2.1", Outcome::ok, 7),
                            probe("alpha", "192.0.2.2", Outcome::ok, 7),
                            probe("beta", "192.0.2.3", Outcome::timeout, 0),
                            probe("beta", "192.0.2.4", Outcome::timeout, 0)});
    }
    StatusArgs args;
    args.db = db;
    const auto [rc, out] = status_of(args);
    INFO(out);
    CHECK(rc == 2);
    CHECK_THAT(out, Contains("down: timeout"));
    CHECK_THAT(out, Contains("current"));
    CHECK_THAT(out, Contains("status: CRITICAL (exit 2)"));

    args.json = true;
    const auto [jrc, jout] = status_of(args);
    CHECK(jrc == 2);
    const auto j = nlohmann::json::parse(jout);
    CHECK(j["status"] == "CRITICAL");
    std::set<std::string> states;
    for (const auto& t : j["targets"]) states.insert(t["state"].get<std::string>());
    CHECK(states == std::set<std::string>{"current", "down: timeout"});
}

TEST_CASE("status --db: a secondary one version behind is WARNING, an empty window UNKNOWN") {
    test::TempDir dir;
    const std::string db = dir.file("history.db");
    {
        HistoryStore store(db);
        store.insert_batch({probe("alpha", "192.0.2.1", Outcome::ok, 8),
                            probe("beta", "192.0.2.3", Outcome::ok, 7)});
    }
    StatusArgs args;
    args.db = db;
    const auto [rc, out] = status_of(args);
    INFO(out);
    CHECK(rc == 1);
    CHECK_THAT(out, Contains("behind 1"));
    CHECK_THAT(out, Contains("status: WARNING (exit 1)"));

    args.since = "1s";  // the probes are 30 s old
    const auto [erc, eout] = status_of(args);
    CHECK(erc == 3);
    CHECK_THAT(eout, Contains("status: UNKNOWN (exit 3)"));
}

TEST_CASE("status --from: the same words as --db, an unreachable instance named, not fatal") {
    const SnapshotPtr snapshot = test::sample_snapshot_ptr();  // beta's only address is down
    HttpServer server{test::http_options({"127.0.0.1:0"}), [&] { return snapshot; }, {}};
    const std::string live = "http://127.0.0.1:" + std::to_string(server.port());
    // A port nothing listens on (the server's own, closed).
    std::string dead;
    {
        HttpServer gone{test::http_options({"127.0.0.1:0"}), [&] { return snapshot; }, {}};
        dead = "http://127.0.0.1:" + std::to_string(gone.port());
    }

    StatusArgs args;
    args.from = {live};
    const auto [rc, out] = status_of(args);
    INFO(out);
    CHECK(rc == 2);  // a provider (beta) with every address down
    CHECK_THAT(out, Contains("down: timeout"));
    CHECK_THAT(out, Contains("current"));
    CHECK_THAT(out, Contains("status: CRITICAL (exit 2)"));

    args.from = {dead, live};
    const auto [rc2, out2] = status_of(args);
    INFO(out2);
    CHECK(rc2 == 3);  // UNKNOWN outranks: part of the fleet could not be asked
    CHECK_THAT(out2, Contains("ns1.alpha.test"));
    CHECK_THAT(out2, Contains("unreachable: " + dead + "/api/v1/status"));

    args.json = true;
    const auto [rc3, out3] = status_of(args);
    const auto j = nlohmann::json::parse(out3);
    CHECK(rc3 == 3);
    CHECK(j["status"] == "UNKNOWN");
    REQUIRE(j["unreachable"].size() == 1);
    CHECK(j["unreachable"][0]["url"] == dead);
    CHECK(j["instances"].size() == 1);
}

TEST_CASE("status --from: a zone_drift line per difference from the zone's reference") {
    const SnapshotPtr snapshot = test::sample_snapshot_ptr();
    ZoneDriftResult drift;
    drift.zone = "shop.test";
    ProviderDriftState beta;
    beta.provider = "beta";
    beta.drifts["www.shop.test. A"] = Drift{
        "beta", "127.53.2.1", "www.shop.test.", 1, DriftKind::differs, "192.0.2.80", "192.0.2.81"};
    drift.providers.push_back(beta);
    auto options = test::http_options({"127.0.0.1:0"});
    options.status_sections.emplace_back("zone_drift",
                                         [drift] { return zone_drift_json({drift}); });
    HttpServer server{options, [&] { return snapshot; }, {}};
    StatusArgs args;
    args.from = {"http://127.0.0.1:" + std::to_string(server.port())};
    const auto [rc, out] = status_of(args);
    INFO(out);
    CHECK_THAT(out, Contains("zone_drift shop.test: [beta] www.shop.test. A: reference "
                             "192.0.2.80, served 192.0.2.81 (127.53.2.1)\n"));
}

TEST_CASE("status --from: a line per DNSSEC key a provider lacks and per signature it fails") {
    Snapshot s = test::sample_snapshot();
    ProviderKeyset beta{"beta", "shop.test.", 48, {"60485/13"}, {{"36029/13", {"alpha"}}}};
    s.zones[0].keysets = {beta};
    ProviderSignatures sig;
    sig.provider = "beta";
    sig.vantage = "default";
    sig.problems = {
        {"ns1.beta.test", "127.53.2.1", "shop.test. SOA", SignatureFault::missing_rrsig, ""}};
    s.zones[0].signatures = {sig};
    const SnapshotPtr snapshot = std::make_shared<const Snapshot>(s);
    HttpServer server{test::http_options({"127.0.0.1:0"}), [&] { return snapshot; }, {}};
    StatusArgs args;
    args.from = {"http://127.0.0.1:" + std::to_string(server.port())};
    const auto [rc, out] = status_of(args);
    INFO(out);
    CHECK_THAT(out, Contains("keyset_mismatch " + s.zones[0].zone +
                             ": [beta] DNSKEY lacks 36029/13 (served by alpha)\n"));
    CHECK_THAT(
        out,
        Contains(
            "dnssec_invalid " + s.zones[0].zone +
            ": [beta] ns1.beta.test [127.53.2.1]: shop.test. SOA has no RRSIG (missing_rrsig)\n"));
}
