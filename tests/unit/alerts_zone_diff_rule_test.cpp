// Tests for alerts/zone_diff_rule: the scheduled zone diff's results as zone_diff_mismatch
// conditions. Pure values in, conditions out; and once through the alert engine, as the daemon
// registers it (AlertEngine::add_condition_source).
#include <catch2/catch.hpp>

#include "alerts/alert_engine.hpp"
#include "alerts/zone_diff_rule.hpp"
#include "config/alerts_schema.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

constexpr uint16_t kA = 1, kTXT = 16;

Record rr(std::string owner, uint16_t type, std::string rdata, uint32_t ttl = 300) {
    return Record{std::move(owner), type, ttl, std::move(rdata)};
}

AlertSettings settings() {
    AlertSettings s;
    s.rules = default_rule_settings();
    return s;
}

// alpha (reference) against `other`, compared from the two copies as the service does.
ZoneDiffPair pair_of(const std::string& other, std::vector<Record> a, std::vector<Record> b) {
    sort_for_diff(a);
    sort_for_diff(b);
    return compared_pair("alpha", 7, other, 6, diff_sorted(a, b));
}

ZoneDiffResult result(std::vector<ZoneDiffPair> pairs) {
    return ZoneDiffResult{"shop.test", {}, std::move(pairs)};
}

}  // namespace

TEST_CASE("zone_diff_mismatch: one condition per differing pair, naming the exact records",
          "[zone_diff_rule]") {
    const std::vector<Record> a{rr("lab-bump.shop.test.", kTXT, "\"7\""),
                                rr("www.shop.test.", kA, "192.0.2.80")};
    const std::vector<Record> b{rr("lab-bump.shop.test.", kTXT, "\"6\""),
                                rr("www.shop.test.", kA, "192.0.2.80")};
    const auto conds =
        zone_diff_conditions({result({pair_of("beta", a, b), pair_of("gamma", a, a)})}, settings());
    REQUIRE(conds.size() == 1);  // gamma is identical: nothing for it
    const Condition& c = conds[0];
    CHECK(c.rule == "zone_diff_mismatch");
    CHECK(c.severity == AlertSeverity::warning);
    CHECK(c.for_ == 0ms);
    CHECK(c.labels ==
          Labels{{"zone", "shop.test"}, {"provider_a", "alpha"}, {"provider_b", "beta"}});
    CHECK(c.summary ==
          "beta's copy of shop.test differs from alpha's in 1 RRset (serial 7 at alpha, 6 at "
          "beta): lab-bump.shop.test. 300 TXT \"7\" only at alpha; lab-bump.shop.test. 300 TXT "
          "\"6\" only at beta");
}

TEST_CASE("zone_diff_mismatch: no condition when the copies are equal or never compared",
          "[zone_diff_rule]") {
    const std::vector<Record> a{rr("www.shop.test.", kA, "192.0.2.80")};
    CHECK(zone_diff_conditions({result({pair_of("beta", a, a)})}, settings()).empty());
    CHECK(zone_diff_conditions({}, settings()).empty());
    // The first transfer failed: nothing known, nothing said (provider_down says why).
    CHECK(zone_diff_conditions({result({failed_pair("alpha", "beta", "refused", nullptr)})},
                               settings())
              .empty());
}

TEST_CASE("zone_diff_mismatch: a failed transfer keeps the previous comparison",
          "[zone_diff_rule]") {
    const std::vector<Record> a{rr("www.shop.test.", kA, "192.0.2.80")};
    const std::vector<Record> b{rr("www.shop.test.", kA, "192.0.2.81")};
    const ZoneDiffResult before = result({pair_of("beta", a, b)});
    const ZoneDiffPair failed = failed_pair("alpha", "beta", "beta: timed out", &before);
    CHECK(failed.error == "beta: timed out");
    CHECK(failed.compared);
    CHECK(failed.rrsets == 1);
    const auto conds = zone_diff_conditions({result({failed})}, settings());
    REQUIRE(conds.size() == 1);
    CHECK_THAT(conds[0].summary, Catch::Contains("www.shop.test. 300 A 192.0.2.81 only at beta"));
}

TEST_CASE("zone_diff_mismatch: five records named, then 'and K more records'", "[zone_diff_rule]") {
    std::vector<Record> a, b;
    for (int i = 0; i < 8; ++i) {
        a.push_back(
            rr("h" + std::to_string(i) + ".shop.test.", kA, "192.0.2." + std::to_string(i)));
    }
    b.push_back(rr("only-b.shop.test.", kA, "198.51.100.1"));
    const auto conds = zone_diff_conditions({result({pair_of("beta", a, b)})}, settings());
    REQUIRE(conds.size() == 1);
    const std::string& s = conds[0].summary;
    INFO(s);
    CHECK_THAT(s, Catch::StartsWith("beta's copy of shop.test differs from alpha's in 9 RRsets"));
    CHECK_THAT(s, Catch::Contains("h0.shop.test. 300 A 192.0.2.0 only at alpha; "));
    CHECK_THAT(s,
               Catch::Contains("h4.shop.test. 300 A 192.0.2.4 only at alpha; and 4 more records"));
    CHECK_THAT(s, !Catch::Contains("h5.shop.test."));
    CHECK_THAT(s, !Catch::Contains("only-b"));
    // One more than named: singular.
    std::vector<Record> six(a.begin(), a.begin() + 6);
    CHECK_THAT(zone_diff_conditions({result({pair_of("beta", six, {})})}, settings())[0].summary,
               Catch::EndsWith("; and 1 more record"));
}

TEST_CASE("zone_diff_mismatch: rule settings apply (severity, for, disabled per zone)",
          "[zone_diff_rule]") {
    const std::vector<Record> a{rr("www.shop.test.", kA, "192.0.2.80")};
    const ZoneDiffResult r = result({pair_of("beta", a, {})});
    AlertSettings s = settings();
    s.rules["zone_diff_mismatch"].severity = AlertSeverity::critical;
    s.rules["zone_diff_mismatch"].for_ = 2min;
    auto conds = zone_diff_conditions({r}, s);
    REQUIRE(conds.size() == 1);
    CHECK(conds[0].severity == AlertSeverity::critical);
    CHECK(conds[0].for_ == 2min);
    CHECK(conds[0].summary ==
          "beta's copy of shop.test differs from alpha's in 1 RRset (serial 7 "
          "at alpha, 6 at beta): www.shop.test. 300 A 192.0.2.80 only at alpha");
    s.zone_rules["shop.test"]["zone_diff_mismatch"].enabled = false;
    CHECK(zone_diff_conditions({r}, s).empty());
}

TEST_CASE("zone_diff_mismatch: through the alert engine's condition source, fires and resolves",
          "[zone_diff_rule]") {
    test::TempDir dir;
    AlertSettings s = settings();
    s.enabled = true;
    s.resolve_after = 0ms;
    auto snap = std::make_shared<Snapshot>();
    snap->zones.push_back(ZoneState{});
    snap->zones[0].zone = "shop.test";
    snap->zones[0].rounds = 1;  // probed, nothing wrong in the snapshot itself
    const std::vector<Record> a{rr("www.shop.test.", kA, "192.0.2.80")};
    std::vector<ZoneDiffResult> newest{result({pair_of("beta", a, {})})};
    AlertEngine engine(
        dir.file("alerts.db"), s, [&] { return SnapshotPtr(snap); }, nullptr);
    engine.add_condition_source([&](WallTime) { return zone_diff_conditions(newest, s); });
    const WallTime t0 = WallTime{} + std::chrono::seconds(1800000000);
    auto notices = engine.evaluate_once(t0);
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].alert.rule == "zone_diff_mismatch");
    CHECK_FALSE(notices[0].resolved);
    CHECK(notices[0].alert.labels.at("provider_b") == "beta");
    // The next run finds the copies equal: resolved.
    newest = {result({pair_of("beta", a, a)})};
    notices = engine.evaluate_once(t0 + 1min);
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].resolved);
}
