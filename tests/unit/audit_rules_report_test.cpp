// The readiness audit as a whole, on hand-built evidence: a clean zone, provider failover, the
// score and the status (audit/report.cpp, audit/rules/failover.cpp).
#include <algorithm>

#include "audit_rules_fixture.hpp"

using namespace nswatch;
using namespace nswatch::test::audit;

TEST_CASE("audit: a clean two-provider zone has no findings and survives every loss", "[audit]") {
    const auto r = run(clean());
    CHECK(ids(r).empty());
    CHECK(r.score == 100);
    CHECK(r.status == PluginStatus::ok);
    REQUIRE(r.failover.size() == 2);
    for (const auto& p : r.failover) {
        INFO(p.provider);
        CHECK(p.survives);
        CHECK(p.reasons.empty());
    }
    // CONS-ZONE: every server refuses AXFR; NET-ASN: no ASN source configured.
    REQUIRE(r.skipped.size() == 2);
    CHECK(r.skipped[0].id == "NET-ASN");
    CHECK(r.skipped[1].id == "CONS-ZONE");
    // What passed is listed: the whole catalogue but the two skipped checks.
    CHECK(r.without_findings.size() == audit_catalogue().size() - 2);
    CHECK(std::find(r.without_findings.begin(), r.without_findings.end(), "NET-ASN") ==
          r.without_findings.end());
    CHECK(std::find(r.without_findings.begin(), r.without_findings.end(), "SRV-TCP") !=
          r.without_findings.end());
}

TEST_CASE("audit: every finding any rule makes is a catalogue check, and is not listed as clean",
          "[audit]") {
    auto e = clean();
    for (auto& s : e.servers) {
        if (s.provider != "b.test") continue;
        s.soa_udp = s.soa_tcp = s.soa_plain = s.ns_udp = s.ns_tcp = failed(Outcome::timeout);
    }
    const auto r = run(e);
    REQUIRE_FALSE(r.findings.empty());
    const auto& catalogue = audit_catalogue();
    for (const auto& f : r.findings) {
        INFO(f.id);
        CHECK(std::find(catalogue.begin(), catalogue.end(), f.id) != catalogue.end());
        CHECK(std::find(r.without_findings.begin(), r.without_findings.end(), f.id) ==
              r.without_findings.end());
    }
}

TEST_CASE("audit: a whole lame provider means losing the other one is fatal", "[audit]") {
    auto e = clean();
    for (auto& s : e.servers) {
        if (s.provider != "b.test") continue;
        s.soa_udp = s.soa_tcp = s.soa_plain = s.ns_udp = s.ns_tcp = failed(Outcome::timeout);
        s.watched.clear();
    }
    const auto r = run(e);
    CHECK(only(r, "SRV-UDP").severity == AuditSeverity::warning);
    REQUIRE(r.failover.size() == 2);
    CHECK(r.failover[0].provider == "a.test");
    CHECK_FALSE(r.failover[0].survives);
    CHECK_THAT(r.failover[0].reasons.front(), Catch::Contains("answers authoritatively over UDP"));
    CHECK(r.failover[1].survives);
    CHECK(r.status == PluginStatus::critical);
}

TEST_CASE("audit: a failed discovery is UNKNOWN with no findings", "[audit]") {
    AuditEvidence e;
    e.zone = "nowhere.test";
    e.discovery_error = "NXDOMAIN at the parent";
    const auto r = run(e);
    CHECK(r.status == PluginStatus::unknown);
    CHECK(r.findings.empty());
    CHECK(r.error == "NXDOMAIN at the parent");
}

TEST_CASE("audit: a missing delegation is DEL-MISSING, CRITICAL, and nothing else", "[audit]") {
    AuditEvidence e;
    e.zone = "shop.test";
    e.discovery_error = "the parent's server 127.53.0.2 (zone 'test') answers NXDOMAIN";
    e.delegation_missing = {MissingReason::parent_nxdomain, e.discovery_error};
    const auto r = run(e);
    CHECK(r.status == PluginStatus::critical);
    CHECK(r.error.empty());
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].id == "DEL-MISSING");
    CHECK(r.findings[0].severity == AuditSeverity::critical);
    CHECK(r.findings[0].evidence ==
          std::vector<std::string>{
              "parent_nxdomain: the parent's server 127.53.0.2 (zone 'test') answers NXDOMAIN"});
}

TEST_CASE("audit: the score drops with severity and fatal losses, never below 0", "[audit]") {
    AuditFinding error{"X", AuditSeverity::error, "", {}, "", ""};
    AuditFinding notice{"Y", AuditSeverity::notice, "", {}, "", ""};
    CHECK(audit_score({error, notice}, {}) == 84);
    CHECK(audit_score({}, {{"p", false, {"why"}}}) == 80);
    CHECK(audit_score(std::vector<AuditFinding>(10, error), {}) == 0);
}

TEST_CASE("audit: losing a provider that leaves no delegated server of another is fatal",
          "[audit]") {
    const std::vector<std::string> none_left = {
        "no nameserver of another provider is in the parent's delegation"};
    SECTION("one provider only") {
        auto e = clean();
        std::erase_if(e.servers, [](const ServerEvidence& s) { return s.provider == "b.test"; });
        const auto r = run(e);
        REQUIRE(r.failover.size() == 1);
        CHECK(r.failover[0].provider == "a.test");
        CHECK_FALSE(r.failover[0].survives);
        CHECK(r.failover[0].reasons == none_left);
    }
    SECTION("the other provider's servers are not in the parent's delegation") {
        auto e = clean();
        e.parent_ns = {"ns1.a.test", "ns2.a.test"};
        const auto r = run(e);
        REQUIRE(r.failover.size() == 2);
        CHECK(r.failover[0].provider == "a.test");
        CHECK_FALSE(r.failover[0].survives);
        CHECK(r.failover[0].reasons == none_left);
        CHECK(r.failover[1].provider == "b.test");
        CHECK(r.failover[1].survives);  // a's servers are delegated and answer
    }
}
