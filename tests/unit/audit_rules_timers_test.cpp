// The SOA timer, TTL and ZONE-SOA rules (audit/rules/timers.cpp) on hand-built evidence: one
// defect per case, no sockets.
#include "audit_rules_fixture.hpp"

using namespace nswatch;
using namespace nswatch::test::audit;

TEST_CASE("audit: SOA timers", "[audit]") {
    auto e = clean();
    auto set_soa = [&](SoaFields s) {
        for (auto& sv : e.servers) sv.soa_udp = sv.soa_tcp = sv.soa_plain = soa_reply(s);
    };
    auto s = soa();
    s.expire = 86400;
    set_soa(s);
    const auto& f = only(run(e), "SOA-EXPIRE");
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(evidence_mentions(f, "EXPIRE 86400 (REFRESH 14400) at ns1.a.test (10.1.0.1)"));

    s = soa();
    s.refresh = 7200;
    set_soa(s);
    CHECK(only(run(e), "SOA-REFRESH").severity == AuditSeverity::notice);
    s = soa();
    s.retry = 14400;
    set_soa(s);
    CHECK(only(run(e), "SOA-RETRY").severity == AuditSeverity::notice);
    s = soa();
    s.minimum = 604800;
    set_soa(s);
    CHECK(only(run(e), "SOA-MINIMUM").severity == AuditSeverity::notice);

    AuditThresholds lax;
    lax.min_expire = 3600;
    s = soa();
    s.expire = 86400;
    set_soa(s);
    CHECK(ids(run(e, lax)).empty());
}

TEST_CASE("audit: TTL-NS is an ERROR below 3600 and a WARNING below 14400", "[audit]") {
    auto e = clean();
    for (auto& s : e.servers) s.ns_udp = ns_reply(300);
    auto f = only(run(e), "TTL-NS");
    CHECK(f.severity == AuditSeverity::error);
    CHECK(evidence_mentions(f, "NS TTL 300"));
    for (auto& s : e.servers) s.ns_udp = ns_reply(7200);
    CHECK(only(run(e), "TTL-NS").severity == AuditSeverity::warning);
    e = clean();
    e.parent_ns_ttl = 600;
    f = only(run(e), "TTL-NS");
    CHECK(evidence_mentions(f, "parent (test): NS TTL 600"));
}

TEST_CASE("audit: TTL-CRITICAL for short watched TTLs", "[audit]") {
    auto e = clean();
    for (auto& s : e.servers) s.watched[1].answer[0].ttl = 60;
    const auto& f = only(run(e), "TTL-CRITICAL");
    CHECK(evidence_mentions(f, "www.ex.test. A TTL 60"));
}

TEST_CASE("audit: ZONE-SOA for two SOA records, an SOA off the apex, or none", "[audit]") {
    auto e = clean();
    e.servers[1].soa_udp->answer.push_back(Record{kZone + ".", 6, 3600, "soa2"});
    auto f = only(run(e), "ZONE-SOA");
    CHECK(f.severity == AuditSeverity::error);
    REQUIRE(f.evidence.size() == 1);
    CHECK(f.evidence[0] == "ns1.b.test (10.2.0.1): SOA ex.test. over UDP → 2 SOA records");

    e = clean();
    e.servers[2].soa_tcp->answer[0].owner = "www." + kZone + ".";
    f = only(run(e), "ZONE-SOA");
    REQUIRE(f.evidence.size() == 1);
    CHECK(f.evidence[0] ==
          "ns2.a.test (10.1.1.2): SOA ex.test. over TCP → SOA owned by www.ex.test., not the apex");

    // NOERROR and AA but no SOA (NODATA for the apex SOA) on every probe of one server.
    e = clean();
    for (auto* r : {&e.servers[0].soa_udp, &e.servers[0].soa_tcp, &e.servers[0].soa_plain}) {
        (*r)->answer.clear();
        (*r)->soa.reset();
    }
    f = only(run(e), "ZONE-SOA");
    REQUIRE(f.evidence.size() == 1);
    CHECK(f.evidence[0] == "ns1.a.test (10.1.0.1): SOA ex.test. over UDP → no SOA in the answer");

    // A server that does not answer at all is SRV-UDP's, not ZONE-SOA's.
    e = clean();
    auto& dark = e.servers[3];
    dark.soa_udp = dark.soa_tcp = dark.soa_plain = dark.ns_udp = dark.ns_tcp =
        failed(Outcome::timeout);
    for (const auto& id : ids(run(e))) CHECK(id != "ZONE-SOA");
}

TEST_CASE("audit: TTL-NS-ADDR when an in-zone NS address outlives the NS RRset", "[audit]") {
    auto e = clean();
    // Five NS names, one in the zone; every server returns the same set and addresses.
    auto names = kNames;
    names.push_back("ns3.ex.test");
    e.parent_ns = e.child_ns = names;
    NameserverEvidence ns3;
    ns3.name = "ns3.ex.test";
    ns3.provider = "a.test";
    ns3.addresses = {"10.3.0.3"};
    ns3.in_parent = ns3.in_child = true;
    e.nameservers.push_back(ns3);
    // a.test gets three NS names against b.test's two: DEL-BALANCE, which is not under test.
    AuditThresholds t;
    for (auto& s : e.servers) {
        s.ns_udp = s.ns_tcp = ns_reply(86400, names);
        s.ns_udp->additional = {Record{"ns3.ex.test.", 1, 172800, "10.3.0.3"},
                                Record{"ns3.ex.test.", 28, 86400, "2001:db8::3"},
                                // out of the zone: not the zone's TTL to set
                                Record{"ns1.a.test.", 1, 172800, "10.1.0.1"}};
    }
    auto r = run(e, t);
    const AuditFinding* f = nullptr;
    for (const auto& x : r.findings) {
        if (x.id == "TTL-NS-ADDR") f = &x;
    }
    REQUIRE(f != nullptr);
    CHECK(f->severity == AuditSeverity::notice);
    REQUIRE(f->evidence.size() == 1);
    CHECK(f->evidence[0] ==
          "ns3.ex.test. A TTL 172800 > NS TTL 86400 at ns1.a.test (10.1.0.1), ns1.b.test "
          "(10.2.0.1), ns2.a.test (10.1.1.2), ns2.b.test (10.2.1.2)");

    // Equal TTLs are fine.
    for (auto& s : e.servers) s.ns_udp->additional[0].ttl = 86400;
    for (const auto& id : ids(run(e, t))) CHECK(id != "TTL-NS-ADDR");
}
