// The CONS-* rules (audit/rules/consistency.cpp) on hand-built evidence: one defect per case,
// no sockets. CONS-ZONE, which needs two transfers, is with SRV-OPEN-AXFR in the servers test.
#include "audit_rules_fixture.hpp"

using namespace nswatch;
using namespace nswatch::test::audit;

TEST_CASE("audit: CONS-SERIAL for a stuck secondary, ERROR when ahead of the primary", "[audit]") {
    auto e = clean();
    for (auto i : {1, 3}) {
        auto& s = e.servers[i];
        s.soa_udp = s.soa_tcp = s.soa_plain = soa_reply(soa(2026120200));
    }
    auto r = run(e);
    const auto& f = only(r, "CONS-SERIAL");
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(evidence_mentions(f, "ns1.b.test (10.2.0.1) serves 2026120200, 1 behind 2026120201"));
    CHECK(r.status == PluginStatus::warning);

    e.primary = "ns1.b.test";  // now a.test is ahead of the primary
    const auto& g = only(run(e), "CONS-SERIAL");
    CHECK(g.severity == AuditSeverity::error);
    CHECK(evidence_mentions(
        g, "ns1.a.test (10.1.0.1) serves 2026120201, ahead of the primary's 2026120200"));
}

TEST_CASE("audit: CONS-SERIAL when serials are 2^31 apart", "[audit]") {
    auto e = clean();
    auto& s = e.servers[1];
    s.soa_udp = s.soa_tcp = s.soa_plain = soa_reply(soa(2026120201u + 2147483648u));
    CHECK(only(run(e), "CONS-SERIAL").severity == AuditSeverity::error);
}

TEST_CASE("audit: CONS-ANSWERS names who said what, failover then fails both ways", "[audit]") {
    auto e = clean();
    for (auto i : {1, 3}) e.servers[i].watched[1].answer[0].rdata = "192.0.2.81";
    const auto r = run(e);
    const auto& f = only(r, "CONS-ANSWERS");
    CHECK(f.severity == AuditSeverity::error);
    CHECK(evidence_mentions(
        f, "www.ex.test A from ns1.b.test (10.2.0.1), ns2.b.test (10.2.1.2) → 192.0.2.81"));
    CHECK(evidence_mentions(f, "→ 192.0.2.80"));
}

TEST_CASE("audit: CONS-TTL and CONS-SOA-FIELDS are notices", "[audit]") {
    auto e = clean();
    e.servers[0].watched[0].answer[0].ttl = 7200;
    CHECK(only(run(e), "CONS-TTL").severity == AuditSeverity::notice);
    e = clean();
    auto s = soa();
    s.rname = "other.ex.test.";
    e.servers[0].soa_udp = e.servers[0].soa_tcp = e.servers[0].soa_plain = soa_reply(s);
    CHECK(only(run(e), "CONS-SOA-FIELDS").severity == AuditSeverity::notice);
    AuditThresholds independent;
    independent.compare_soa_fields = false;
    CHECK(ids(run(e, independent)).empty());
}
