// The DEL-* and NET-PREFIX rules (audit/rules/delegation.cpp) on hand-built evidence: one
// defect per case, no sockets.
#include <algorithm>

#include "audit_rules_fixture.hpp"

using namespace nswatch;
using namespace nswatch::test::audit;

TEST_CASE("audit: DEL-PROVIDERS when every NS belongs to one provider", "[audit]") {
    auto e = clean();
    for (auto& ns : e.nameservers) ns.provider = "a.test";
    for (auto& s : e.servers) s.provider = "a.test";
    const auto r = run(e);
    const auto& f = only(r, "DEL-PROVIDERS");
    CHECK(f.severity == AuditSeverity::error);
    CHECK(evidence_mentions(f, "a.test: ns1.a.test, ns1.b.test, ns2.a.test, ns2.b.test"));
    CHECK_FALSE(f.advice.empty());
    CHECK_FALSE(f.reference.empty());
    REQUIRE(r.failover.size() == 1);
    CHECK_FALSE(r.failover[0].survives);
    CHECK(r.status == PluginStatus::critical);
}

TEST_CASE("audit: DEL-PROVIDERS when a provider has a single NS, DEL-BALANCE when unequal",
          "[audit]") {
    auto e = clean();
    // b.test keeps one NS name: below the two per provider the catalogue asks for.
    e.parent_ns = e.child_ns = {"ns1.a.test", "ns1.b.test", "ns2.a.test"};
    e.nameservers.erase(e.nameservers.begin() + 3);
    e.servers.erase(e.servers.begin() + 3);
    for (auto& s : e.servers) s.ns_udp = s.ns_tcp = ns_reply(86400, e.child_ns);
    CHECK(only(run(e), "DEL-PROVIDERS").summary.find("b.test") != std::string::npos);

    AuditThresholds one_each;
    one_each.min_ns_per_provider = 1;
    const auto& f = only(run(e, one_each), "DEL-BALANCE");
    CHECK(f.severity == AuditSeverity::warning);
}

TEST_CASE("audit: DEL-PARENT-CHILD is an ERROR for names only at the parent, NOTICE for child-only",
          "[audit]") {
    auto e = clean();
    e.parent_ns.push_back("ns3.a.test");
    std::sort(e.parent_ns.begin(), e.parent_ns.end());
    auto r = run(e);
    // ns3.a.test gives a.test 3 NS against b.test's 2: the imbalance is its own finding.
    auto& f = r.findings.front();
    CHECK(f.id == "DEL-PARENT-CHILD");
    CHECK(f.severity == AuditSeverity::error);
    CHECK(evidence_mentions(f, "only at the parent: ns3.a.test"));

    e = clean();
    e.child_ns.push_back("ns3.a.test");
    std::sort(e.child_ns.begin(), e.child_ns.end());
    const auto& g = only(run(e), "DEL-PARENT-CHILD");
    CHECK(g.severity == AuditSeverity::notice);
    CHECK(evidence_mentions(g, "only in the zone: ns3.a.test"));
}

TEST_CASE("audit: DEL-GLUE, DEL-DISTINCT-IP, NET-PREFIX, DEL-NSNAME", "[audit]") {
    auto e = clean();
    e.nameservers[0].glue = {"10.1.0.99"};
    const auto& glue = only(run(e), "DEL-GLUE");
    CHECK(evidence_mentions(glue, "ns1.a.test: parent glue 10.1.0.99, zone says 10.1.0.1"));

    e = clean();
    e.nameservers[2].addresses = {"10.1.0.1"};
    CHECK(only(run(e), "DEL-DISTINCT-IP").severity == AuditSeverity::error);

    e = clean();
    const std::vector<std::string> same = {"10.9.9.1", "10.9.9.2", "10.9.9.3", "10.9.9.4"};
    for (size_t i = 0; i < 4; ++i) e.nameservers[i].addresses = {same[i]};
    const auto& prefix = only(run(e), "NET-PREFIX");
    CHECK(evidence_mentions(prefix, "all 4 IPv4 addresses in 10.9.9.0/24"));

    e = clean();
    e.nameservers[0].cname = true;
    CHECK(only(run(e), "DEL-NSNAME").severity == AuditSeverity::error);
    e = clean();
    AuditThresholds internet;
    internet.private_addresses_ok = false;
    CHECK(evidence_mentions(only(run(e, internet), "DEL-NSNAME"), "non-global address 10.1.0.1"));
}

TEST_CASE("audit: DEL-NSSET-CONSISTENT when a provider does not publish the other's NS",
          "[audit]") {
    auto e = clean();
    e.servers[1].ns_udp = ns_reply(86400, {"ns1.b.test", "ns2.b.test"});
    const auto r = run(e);
    // The zone's NS union still equals the parent's, so only the inconsistency is reported.
    const auto& f = only(r, "DEL-NSSET-CONSISTENT");
    CHECK(evidence_mentions(f, "ns1.b.test (10.2.0.1) → NS ns1.b.test. ns2.b.test."));
}

TEST_CASE("audit: DEL-NSCOUNT with a single NS name", "[audit]") {
    auto e = clean();
    e.parent_ns = e.child_ns = {"ns1.a.test"};
    e.nameservers.resize(1);
    e.servers.resize(1);
    e.servers[0].ns_udp = e.servers[0].ns_tcp = ns_reply(86400, {"ns1.a.test"});
    const auto r = run(e);
    CHECK(ids(r) == std::vector<std::string>{"DEL-NSCOUNT", "DEL-PROVIDERS"});
}

TEST_CASE("audit: DEL-REFERRAL-SIZE when the referral exceeds 512 octets", "[audit]") {
    auto e = clean();
    e.referral = ReferralEstimate{512, 4, 0};
    CHECK(ids(run(e)).empty());
    e.referral = ReferralEstimate{601, 13, 26};
    const auto& f = only(run(e), "DEL-REFERRAL-SIZE");
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(f.evidence == std::vector<std::string>{"referral from test for a 255-octet name under "
                                                 "ex.test: 601 octets (13 NS, 26 glue records)"});
    e.referral.reset();  // configured nameservers: no delegation to size
    CHECK(ids(run(e)).empty());
}
