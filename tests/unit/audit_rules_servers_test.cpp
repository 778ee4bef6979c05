// The SRV-* rules (audit/rules/servers.cpp) on hand-built evidence: one defect per case, no
// sockets.
#include "audit_rules_fixture.hpp"

using namespace nswatch;
using namespace nswatch::test::audit;

TEST_CASE("audit: SRV-UDP names a lame server once, the zone survives the loss of either provider",
          "[audit]") {
    auto e = clean();
    auto& lame = e.servers[1];  // ns1.b.test
    lame.soa_udp = lame.soa_tcp = lame.soa_plain = lame.ns_udp = lame.ns_tcp =
        failed(Outcome::refused, 5);
    for (auto& w : lame.watched) {
        const auto asked = w.query;
        w = failed(Outcome::refused, 5);
        w.query = asked;
    }
    const auto r = run(e);
    const auto& f = only(r, "SRV-UDP");
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(evidence_mentions(f, "ns1.b.test (10.2.0.1): UDP SOA refused"));
    CHECK(r.status == PluginStatus::warning);
    for (const auto& p : r.failover) CHECK(p.survives);
}

TEST_CASE("audit: SRV-UDP is CRITICAL when nothing answers", "[audit]") {
    auto e = clean();
    for (auto& s : e.servers) {
        s.soa_udp = s.soa_tcp = s.soa_plain = s.ns_udp = s.ns_tcp = failed(Outcome::timeout);
        s.watched.clear();
    }
    CHECK(only(run(e), "SRV-UDP").severity == AuditSeverity::critical);
}

TEST_CASE("audit: SRV-TCP for a server that answers UDP only", "[audit]") {
    auto e = clean();
    e.servers[2].soa_tcp = e.servers[2].ns_tcp = failed(Outcome::timeout);
    const auto& f = only(run(e), "SRV-TCP");
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(evidence_mentions(f, "ns2.a.test (10.1.1.2): TCP SOA timeout"));
}

TEST_CASE("audit: SRV-EDNS for a server that drops EDNS queries but answers plain ones",
          "[audit]") {
    auto e = clean();
    e.servers[0].soa_udp = failed(Outcome::timeout);
    const auto& f = only(run(e), "SRV-EDNS");
    CHECK(f.severity == AuditSeverity::error);
    CHECK(evidence_mentions(f,
                            "ns1.a.test (10.1.0.1): SOA without EDNS answered, with EDNS timeout"));

    // FORMERR to every EDNS query, UDP and TCP alike (tests/tools/baddns.cpp edns-intolerant):
    // reported once, as SRV-EDNS, not again as SRV-TCP.
    e = clean();
    e.servers[0].soa_udp = e.servers[0].soa_tcp = e.servers[0].ns_udp = e.servers[0].ns_tcp =
        failed(Outcome::formerr, 1);
    CHECK(evidence_mentions(only(run(e), "SRV-EDNS"), "with EDNS formerr"));

    e = clean();
    e.servers[0].soa_udp->has_opt = false;
    CHECK(only(run(e), "SRV-EDNS").severity == AuditSeverity::warning);
}

TEST_CASE("audit: SRV-OPEN-RECURSION when RA is set or an outside name resolves", "[audit]") {
    auto e = clean();
    ProbeResult rec;
    rec.query.name = "test";
    rec.query.recursion_desired = true;
    rec.outcome = Outcome::ok;
    rec.rcode = 0;
    rec.ra = true;
    rec.answer = {Record{"test.", 6, 86400, "a.nic.test. ..."}};
    e.servers[3].recursion = rec;
    const auto& f = only(run(e), "SRV-OPEN-RECURSION");
    CHECK(f.severity == AuditSeverity::error);
    CHECK(evidence_mentions(f, "ns2.b.test (10.2.1.2): RD query for test → RA set, resolved"));
}

TEST_CASE("audit: SRV-OPEN-AXFR, and CONS-ZONE runs once two transfers succeed", "[audit]") {
    auto e = clean();
    for (auto i : {0, 1}) {
        e.servers[i].axfr.outcome = AxfrOutcome::allowed;
        e.servers[i].axfr.records = {Record{kZone + ".", 1, 3600, "192.0.2.10"}};
    }
    auto r = run(e);
    const auto& f = only(r, "SRV-OPEN-AXFR");
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(evidence_mentions(f, "ns1.a.test (10.1.0.1): AXFR of ex.test allowed (1 records)"));
    REQUIRE(r.skipped.size() == 1);  // CONS-ZONE ran
    CHECK(r.skipped[0].id == "NET-ASN");

    e.servers[1].axfr.records.push_back(Record{"evil." + kZone + ".", 1, 3600, "192.0.2.66"});
    r = run(e);
    CHECK(ids(r) == std::vector<std::string>{"CONS-ZONE", "SRV-OPEN-AXFR"});
    CHECK(evidence_mentions(r.findings[0], "1 records only there, 0 missing"));
}

TEST_CASE("audit: SRV-AAAA when AAAA is dropped or denied, not for NODATA", "[audit]") {
    auto e = clean();
    e.servers[0].aaaa = failed(Outcome::timeout);
    e.servers[0].aaaa->query.type = 28;
    e.servers[3].aaaa = failed(Outcome::nxdomain, 3);
    e.servers[3].aaaa->query.type = 28;
    const auto r = run(e);
    const auto& f = only(r, "SRV-AAAA");
    CHECK(f.severity == AuditSeverity::error);
    CHECK(r.status == PluginStatus::critical);
    REQUIRE(f.evidence.size() == 2);
    CHECK(f.evidence[0] == "ns1.a.test (10.1.0.1): AAAA ex.test → timeout");
    CHECK(f.evidence[1] ==
          "ns2.b.test (10.2.1.2): AAAA ex.test → nxdomain, though SOA for the same name answered");

    // An answer without AA is wrong too; an AAAA with data or a truncated reply is fine.
    e = clean();
    e.servers[1].aaaa->aa = false;
    e.servers[2].aaaa->answer = {Record{kZone + ".", 28, 3600, "2001:db8::10"}};
    e.servers[3].aaaa->outcome = Outcome::truncated;
    e.servers[3].aaaa->tc = true;
    const auto& g = only(run(e), "SRV-AAAA");
    REQUIRE(g.evidence.size() == 1);
    CHECK(g.evidence[0] == "ns1.b.test (10.2.0.1): AAAA ex.test → answer without AA");

    // Dark and EDNS-intolerant servers are reported elsewhere, once.
    e = clean();
    e.servers[0].soa_udp = failed(Outcome::formerr, 1);
    e.servers[0].aaaa = failed(Outcome::formerr, 1);
    for (const auto& id : ids(run(e))) CHECK(id != "SRV-AAAA");
    // Not probed (older evidence): nothing to judge.
    e = clean();
    for (auto& s : e.servers) s.aaaa.reset();
    CHECK(ids(run(e)).empty());
}

TEST_CASE("audit: SRV-UPWARD-REFERRAL for a referral to the root or a parent", "[audit]") {
    auto referral = [](const std::string& owner, std::vector<std::string> targets) {
        auto r = reply(".", 2, {});
        r.aa = false;
        r.outcome = Outcome::not_authoritative;
        for (const auto& t : targets) r.authority.push_back(Record{owner, 2, 518400, t});
        return r;
    };
    auto e = clean();
    e.servers[1].upward = referral(".", {"a.root-servers.net.", "b.root-servers.net."});
    e.servers[2].upward = referral("test.", {"ns.test."});
    const auto r = run(e);
    const auto& f = only(r, "SRV-UPWARD-REFERRAL");
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(r.status == PluginStatus::warning);
    REQUIRE(f.evidence.size() == 2);
    CHECK(f.evidence[0] ==
          "ns1.b.test (10.2.0.1): NS . with RD=0 → referral to . (2 NS records, AA clear)");
    CHECK(f.evidence[1] ==
          "ns2.a.test (10.1.1.2): NS . with RD=0 → referral to test. (1 NS records, AA clear)");

    // A referral down (to a child of the zone), an authoritative answer, or REFUSED: none.
    e = clean();
    e.servers[0].upward = referral("sub.ex.test.", {"ns.sub.ex.test."});
    e.servers[1].upward = referral("other.test.", {"ns.other.test."});
    e.servers[2].upward = referral(".", {"a.root-servers.net."});
    e.servers[2].upward->aa = true;
    CHECK(ids(run(e)).empty());
}

TEST_CASE("audit: SRV-NSID records each address's NSID as INFO, only when some server has one",
          "[audit]") {
    auto e = clean();
    e.servers[0].soa_udp->nsid = "fra1.a";
    e.servers[3].ns_udp->nsid = "ams2.b";  // no NSID on the SOA probe: the NS probe's counts
    const auto r = run(e);
    const auto& f = only(r, "SRV-NSID");
    CHECK(f.severity == AuditSeverity::info);
    CHECK(r.score == 100);
    CHECK(r.status == PluginStatus::ok);
    CHECK(f.evidence == std::vector<std::string>{"ns1.a.test (10.1.0.1): NSID \"fra1.a\"",
                                                 "ns1.b.test (10.2.0.1): no NSID",
                                                 "ns2.a.test (10.1.1.2): no NSID",
                                                 "ns2.b.test (10.2.1.2): NSID \"ams2.b\""});
}
