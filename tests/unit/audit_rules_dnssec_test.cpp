// The DNSSEC-* rules (audit/rules/dnssec.cpp) on hand-built evidence: one defect per case, no
// sockets. DNSSEC-DS, which needs real keys, has its own test (audit_dnssec_ds_test.cpp).
#include "audit_rules_fixture.hpp"

using namespace nswatch;
using namespace nswatch::test::audit;

TEST_CASE("audit: DNSSEC-KEYSET when one provider lacks the other's key", "[audit]") {
    auto e = clean();
    const Record ka{kZone + ".", 48, 3600, "256 3 13 AAAAkeyA"};
    const Record kb{kZone + ".", 48, 3600, "256 3 13 BBBBkeyB"};
    const Record sig{kZone + ".", 46, 3600,
                     "DNSKEY 13 2 3600 20261230000000 20261201000000 12345 ex.test. sig"};
    for (auto& s : e.servers)
        s.dnskey = reply(kZone, 48,
                         s.provider == "a.test" ? std::vector<Record>{ka, kb, sig}
                                                : std::vector<Record>{kb, sig});
    const auto r = run(e);
    const auto& f = only(r, "DNSSEC-KEYSET");
    CHECK(f.severity == AuditSeverity::error);
    CHECK(evidence_mentions(f, "ns1.b.test (10.2.0.1) lacks 1 of 2 DNSKEYs"));
    // Losing a.test leaves b.test alone, consistent with itself: it survives; losing b.test too.
    for (const auto& p : r.failover) CHECK(p.survives);
}

TEST_CASE("audit: DNSSEC-SIG-LIFETIME warns before and errs after expiry", "[audit]") {
    auto e = clean();
    const Record k{kZone + ".", 48, 3600, "257 3 13 KEY"};
    auto with_expiry = [&](const std::string& when) {
        const Record sig{kZone + ".", 46, 3600,
                         "DNSKEY 13 2 3600 " + when + " 20261101000000 1 ex.test. sig"};
        for (auto& s : e.servers) s.dnskey = reply(kZone, 48, {k, sig});
    };
    with_expiry("20261202060000");  // 6 h after kNow
    CHECK(only(run(e), "DNSSEC-SIG-LIFETIME").severity == AuditSeverity::warning);
    with_expiry("20261201000000");
    CHECK(only(run(e), "DNSSEC-SIG-LIFETIME").severity == AuditSeverity::error);
    with_expiry("garbage");
    CHECK(ids(run(e)).empty());
}

namespace {

/// clean(), signed: every server returns the same DNSKEY set, over TCP and over UDP, and the
/// DNSSEC round's probes (CDS, CDNSKEY, NSEC3PARAM) answered the same everywhere.
AuditEvidence signed_clean() {
    auto e = clean();
    const Record key{kZone + ".", 48, 3600, "257 3 13 KEY"};
    const Record sig{kZone + ".", 46, 3600,
                     "DNSKEY 13 2 3600 20261230000000 20261201000000 1 ex.test. sig"};
    for (auto& s : e.servers) {
        s.dnskey = reply(kZone, 48, {key, sig}, Transport::tcp);
        s.dnskey_udp = reply(kZone, 48, {key, sig});
        s.dnskey_udp->reply_size = 400;
        s.cds = reply(kZone, 59, {Record{kZone + ".", 59, 3600, "12345 13 2 ABCD"}});
        s.cdnskey = reply(kZone, 60, {});
        s.nsec3param = reply(kZone, 51, {});
        s.nsec3param->authority = {
            Record{kZone + ".", 47, 300, "www.ex.test. A NS SOA RRSIG NSEC DNSKEY"}};
    }
    return e;
}

}  // namespace

TEST_CASE("audit: a signed zone in agreement has no DNSSEC findings", "[audit]") {
    CHECK(ids(run(signed_clean())).empty());
}

TEST_CASE("audit: DNSSEC-CDS when providers publish different CDS or CDNSKEY", "[audit]") {
    auto e = signed_clean();
    // b.test has not caught up with a.test's key rollover: its CDS is the old one.
    for (auto& s : e.servers) {
        if (s.provider == "b.test") s.cds->answer[0].rdata = "54321 13 2 EF01";
    }
    auto f = only(run(e), "DNSSEC-CDS");
    CHECK(f.severity == AuditSeverity::error);
    CHECK(f.evidence ==
          std::vector<std::string>{"ns1.a.test (10.1.0.1), ns2.a.test (10.1.1.2) → CDS 12345 13 2 "
                                   "ABCD",
                                   "ns1.b.test (10.2.0.1), ns2.b.test (10.2.1.2) → CDS 54321 13 2 "
                                   "EF01"});

    // CDNSKEY at one server only (an empty set elsewhere is a different set).
    e = signed_clean();
    e.servers[3].cdnskey->answer = {Record{kZone + ".", 60, 3600, "257 3 13 KEY"}};
    f = only(run(e), "DNSSEC-CDS");
    CHECK(evidence_mentions(f, "ns2.b.test (10.2.1.2) → CDNSKEY 257 3 13 KEY"));
    CHECK(evidence_mentions(f,
                            "ns1.a.test (10.1.0.1), ns1.b.test (10.2.0.1), ns2.a.test "
                            "(10.1.1.2) → CDNSKEY none"));

    // A server that does not answer the CDS query is not compared.
    e = signed_clean();
    e.servers[0].cds = failed(Outcome::timeout);
    CHECK(ids(run(e)).empty());
}

TEST_CASE("audit: DNSSEC-DENIAL for NSEC at one provider and NSEC3 at the other", "[audit]") {
    auto e = signed_clean();
    for (auto& s : e.servers) {
        if (s.provider != "b.test") continue;
        s.nsec3param->authority.clear();
        s.nsec3param->answer = {Record{kZone + ".", 51, 0, "1 0 0 -"}};
    }
    const auto& f = only(run(e), "DNSSEC-DENIAL");
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(f.evidence ==
          std::vector<std::string>{"ns1.a.test (10.1.0.1), ns2.a.test (10.1.1.2) → NSEC",
                                   "ns1.b.test (10.2.0.1), ns2.b.test (10.2.1.2) → NSEC3 "
                                   "(NSEC3PARAM 1 0 0 -)"});

    // NSEC3 everywhere but with different salts is a difference too.
    e = signed_clean();
    for (auto& s : e.servers) {
        s.nsec3param->authority.clear();
        s.nsec3param->answer = {
            Record{kZone + ".", 51, 0, s.provider == "a.test" ? "1 0 0 AB" : "1 0 0 CD"}};
    }
    CHECK(only(run(e), "DNSSEC-DENIAL").evidence.size() == 2);
}

TEST_CASE("audit: DNSSEC-SIZE when the DNSKEY answer is truncated and TCP fails", "[audit]") {
    auto e = signed_clean();
    auto& s = e.servers[1];
    s.dnskey_udp->outcome = Outcome::truncated;
    s.dnskey_udp->tc = true;
    // Truncated but TCP works: what resolvers do anyway, nothing to report.
    CHECK(ids(run(e)).empty());

    s.dnskey = failed(Outcome::timeout);
    s.soa_tcp = s.ns_tcp = failed(Outcome::timeout);
    const auto r = run(e);
    // Both WARNING, so sorted by id.
    REQUIRE(ids(r) == std::vector<std::string>{"DNSSEC-SIZE", "SRV-TCP"});
    const auto& f = r.findings[0];
    CHECK(f.severity == AuditSeverity::warning);
    CHECK(f.evidence == std::vector<std::string>{"ns1.b.test (10.2.0.1): DNSKEY over UDP truncated "
                                                 "with a 1232-octet buffer, over TCP timeout"});

    // A reply larger than the buffer we advertised (the server ignores it), and no TCP.
    e = signed_clean();
    e.servers[0].dnskey_udp->reply_size = 1500;
    e.servers[0].dnskey = failed(Outcome::network_error);
    CHECK(evidence_mentions(only(run(e), "DNSSEC-SIZE"),
                            "ns1.a.test (10.1.0.1): DNSKEY over UDP 1500 octets, above the 1232 "
                            "advertised"));
}
