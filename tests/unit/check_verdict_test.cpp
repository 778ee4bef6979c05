// monitor/check_verdict: the exit code of `nswatch check` for a missing delegation (CRITICAL) and
// for a delegation that could not be asked about (UNKNOWN).
#include "monitor/check_verdict.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using Catch::Matchers::Contains;

namespace {

ProbeResult soa_probe(const std::string& ns, const std::string& address, Outcome outcome) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.nameserver = ns;
    r.target.address = address;
    r.target.provider = ns.substr(ns.find('.') + 1);
    r.outcome = outcome;
    if (outcome == Outcome::ok) {
        r.rcode = 0;
        r.aa = true;
        r.soa = SoaFields{};
        r.soa->serial = 2026112201;
    } else {
        r.rcode = 5;
    }
    return r;
}

}  // namespace

TEST_CASE("check verdict: the parent's NXDOMAIN is CRITICAL and names the parent's server",
          "[check_verdict]") {
    ZoneCheckInput in;
    in.zone = "shop.test";
    in.discovery_error =
        "the parent's server 127.53.0.2 (zone 'test') answers NXDOMAIN: shop.test "
        "does not exist";
    in.delegation_missing = {MissingReason::parent_nxdomain, in.discovery_error};
    const ZoneVerdict v = judge_zone_check(in);
    CHECK(v.status == PluginStatus::critical);
    REQUIRE_FALSE(v.findings.empty());
    CHECK(v.findings.front().severity == PluginStatus::critical);
    CHECK_THAT(v.findings.front().text, Contains("delegation missing (parent_nxdomain)"));
    CHECK_THAT(v.summary, Contains("127.53.0.2"));
    CHECK_THAT(v.summary, Contains("NXDOMAIN"));
    // Nothing UNKNOWN about it: the parent answered.
    for (const auto& f : v.findings) CHECK(f.severity != PluginStatus::unknown);
}

TEST_CASE("check verdict: NS names without address and lame servers are CRITICAL",
          "[check_verdict]") {
    ZoneCheckInput in;
    in.zone = "shop.test";
    in.providers = {"gone.test"};
    in.nameservers_without_address = {"ns1.gone.test", "ns2.gone.test"};
    in.delegation_missing = {MissingReason::ns_without_address,
                             "none of the NS names ... has an address: ns1.gone.test, "
                             "ns2.gone.test"};
    ZoneVerdict v = judge_zone_check(in);
    CHECK(v.status == PluginStatus::critical);  // not UNKNOWN for "no address to probe"
    CHECK_THAT(v.summary, Contains("ns_without_address"));

    ZoneCheckInput lame;
    lame.zone = "shop.test";
    lame.providers = {"a.test", "b.test"};
    lame.results = {soa_probe("ns1.a.test", "192.0.2.1", Outcome::refused),
                    soa_probe("ns1.b.test", "192.0.2.2", Outcome::refused)};
    lame.delegation_missing = {MissingReason::servers_lame,
                               "every delegated server answers the NS query for shop.test "
                               "without authority: ns1.a.test (192.0.2.1) refused"};
    v = judge_zone_check(lame);
    CHECK(v.status == PluginStatus::critical);
    CHECK_THAT(v.findings.front().text, Contains("servers_lame"));
}

TEST_CASE("check verdict: a parent that could not be asked stays UNKNOWN", "[check_verdict]") {
    ZoneCheckInput in;
    in.zone = "shop.test";
    in.discovery_error = "no server of zone 'test' answered for shop.test (last: timeout)";
    const ZoneVerdict v = judge_zone_check(in);
    CHECK(v.status == PluginStatus::unknown);
    CHECK_THAT(v.summary, Contains("delegation not discovered"));
    CHECK_THAT(v.summary, Contains("timeout"));
}

TEST_CASE("check verdict: a healthy delegation is OK", "[check_verdict]") {
    ZoneCheckInput in;
    in.zone = "shop.test";
    in.providers = {"a.test", "b.test"};
    in.results = {soa_probe("ns1.a.test", "192.0.2.1", Outcome::ok),
                  soa_probe("ns1.b.test", "192.0.2.2", Outcome::ok)};
    in.round = evaluate_serial_round(in.results, std::nullopt);
    const ZoneVerdict v = judge_zone_check(in);
    CHECK(v.status == PluginStatus::ok);
    CHECK(v.findings.empty());
}
