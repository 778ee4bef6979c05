#include <catch2/catch.hpp>

#include "exporter/status_json.hpp"
#include "exporter_test_support.hpp"

using namespace nswatch;
using nlohmann::json;

TEST_CASE("status JSON round-trips a snapshot", "[exporter][json]") {
    const Snapshot s = test::sample_snapshot();
    const json j = snapshot_to_json(s);
    const Snapshot back = snapshot_from_json(j);

    // Snapshot has no operator==; its JSON covers every field, and the value types that have one
    // are compared directly.
    CHECK(snapshot_to_json(back) == j);
    CHECK(back.taken == s.taken);
    CHECK(back.vantage == "fra");
    REQUIRE(back.recent_failures.size() == 1);
    CHECK(back.recent_failures[0] == s.recent_failures[0]);
    REQUIRE(back.zones.size() == 1);
    const ZoneState& z = back.zones[0];
    CHECK(z.newest_serial == 2026112203u);
    CHECK(z.newest_first_seen == s.zones[0].newest_first_seen);
    CHECK_FALSE(z.delegation.consistent);
    CHECK(z.delegation.only_in_parent == std::vector<std::string>{"ns-old.beta.test"});
    REQUIRE(z.targets.size() == 2);
    CHECK(z.targets[0].last == s.zones[0].targets[0].last);
    CHECK(z.targets[1].target == s.zones[0].targets[1].target);
    CHECK(z.targets[1].serial_state == SerialState::no_answer);
    CHECK(z.targets[1].lag_seconds == 120.5);
    CHECK_FALSE(z.targets[1].up);
    CHECK(z.providers[1].max_behind_by == 2);
}

TEST_CASE("status JSON writes times as RFC 3339 UTC with nanoseconds", "[exporter][json]") {
    Snapshot s = test::sample_snapshot();
    s.zones[0].targets[0].last_success = WallTime{};
    const json j = snapshot_to_json(s);
    CHECK(j["schema"] == status_json_schema);
    CHECK(j["taken"] == "2026-11-22T06:00:00.123456789Z");
    CHECK(j["zones"][0]["targets"][0]["last_success"].is_null());  // never
    CHECK(j["zones"][0]["targets"][1]["last"]["outcome"] == "timeout");
    CHECK(j["zones"][0]["targets"][1]["last"]["rtt_seconds"] == 2.0);
    CHECK(snapshot_from_json(j).zones[0].targets[0].last_success == WallTime{});
}

TEST_CASE("status JSON reader accepts fewer digits and missing fields", "[exporter][json]") {
    const json j = {{"taken", "2026-11-22T06:00:00.5Z"},
                    {"zones", {{{"zone", "shop.test"}, {"targets", {{{"up", false}}}}}}}};
    const Snapshot s = snapshot_from_json(j);
    CHECK(s.taken.time_since_epoch() ==
          std::chrono::seconds(1795327200) + std::chrono::milliseconds(500));
    REQUIRE(s.zones.size() == 1);
    REQUIRE(s.zones[0].targets.size() == 1);
    CHECK_FALSE(s.zones[0].targets[0].up);
    CHECK(s.zones[0].targets[0].target.port == 53);
    CHECK(s.recent_failures.empty());
}

TEST_CASE("status JSON reader rejects what it cannot read", "[exporter][json]") {
    CHECK_THROWS_AS(snapshot_from_json(json::array()), std::invalid_argument);
    CHECK_THROWS_AS(snapshot_from_json({{"taken", "yesterday"}}), std::invalid_argument);
    CHECK_THROWS_AS(snapshot_from_json({{"taken", "2026-11-22T06:00:00+01:00"}}),
                    std::invalid_argument);
    const json bad_outcome = {{"recent_failures", {{{"outcome", "exploded"}}}}};
    CHECK_THROWS_AS(snapshot_from_json(bad_outcome), std::invalid_argument);
    const json bad_transport = {{"recent_failures", {{{"target", {{"transport", "quic"}}}}}}};
    CHECK_THROWS_AS(snapshot_from_json(bad_transport), std::invalid_argument);
    CHECK_THROWS_AS(snapshot_from_json({{"vantage", 7}}), json::exception);
}

TEST_CASE("status JSON carries a missing delegation and reads it back", "[exporter][json]") {
    Snapshot s = test::sample_snapshot();
    json j = snapshot_to_json(s);
    CHECK(j["zones"][0]["delegation_missing"].is_null());
    CHECK(j["zones"][0]["delegation"]["missing"].is_null());

    s.zones[0].delegation.missing = MissingReason::ns_without_address;
    s.zones[0].delegation.missing_detail = "none of the NS names ... has an address: ns1.gone.test";
    j = snapshot_to_json(s);
    const json& m = j["zones"][0]["delegation_missing"];
    CHECK(m["reason"] == "ns_without_address");
    CHECK(m["severity"] == "critical");
    CHECK(m["detail"] == "none of the NS names ... has an address: ns1.gone.test");
    CHECK(j["zones"][0]["delegation"]["missing"] == "ns_without_address");
    const Snapshot back = snapshot_from_json(j);
    CHECK(back.zones[0].delegation.missing == MissingReason::ns_without_address);
    CHECK(back.zones[0].delegation.missing_detail == s.zones[0].delegation.missing_detail);
    CHECK(snapshot_to_json(back) == j);
}

TEST_CASE("status JSON carries each provider's key sets and signature validation",
          "[exporter][json]") {
    Snapshot s = test::sample_snapshot();
    ZoneState z = s.zones[0];
    z.keysets = {{"beta", "shop.test.", 48, {"111/13"}, {{"222/13", {"alpha", "gamma"}}}}};
    z.signatures = {
        {"beta",
         "fra",
         3,
         {{"ns1.beta.test", "192.0.2.2", "shop.test. SOA", SignatureFault::bogus, "111/13"}},
         WallTime{} + std::chrono::seconds(1800000000)},
        {"alpha", "fra", 3, {}, std::nullopt}};
    s.zones = {z};
    const json j = snapshot_to_json(s);
    const auto& zj = j["zones"][0];
    CHECK(zj["keysets"][0]["text"] == "[beta] DNSKEY lacks 222/13 (served by alpha, gamma)");
    CHECK(zj["dnssec_signatures"][0]["problems"][0]["text"] ==
          "ns1.beta.test [192.0.2.2]: shop.test. SOA RRSIG by 111/13 does not verify (bogus)");
    CHECK(zj["dnssec_signatures"][1]["expires"].is_null());
    const Snapshot back = snapshot_from_json(j);
    CHECK(back.zones[0].keysets == z.keysets);
    CHECK(back.zones[0].signatures == z.signatures);
    CHECK(snapshot_to_json(back) == j);

    json bad = j;
    bad["zones"][0]["dnssec_signatures"][0]["problems"][0]["fault"] = "weird";
    CHECK_THROWS_WITH(snapshot_from_json(bad), Catch::Contains("unknown signature fault 'weird'"));
}
