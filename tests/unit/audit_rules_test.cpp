// The readiness-audit rules on hand-built evidence: one defect per case, no sockets.
#include "checks/audit_rules.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

namespace {

const std::string kZone = "ex.test";

ProbeResult reply(const std::string& name, uint16_t type, std::vector<Record> answer,
                  Transport transport = Transport::udp) {
    ProbeResult r;
    r.query.name = name;
    r.query.type = type;
    r.target.transport = transport;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.aa = true;
    r.has_opt = true;
    r.answer = std::move(answer);
    return r;
}

ProbeResult failed(Outcome o, int rcode = -1) {
    ProbeResult r;
    r.query.name = kZone;
    r.outcome = o;
    r.rcode = rcode;
    return r;
}

SoaFields soa(uint32_t serial = 2026120201) {
    return SoaFields{"ns1.a.test.", "hostmaster.ex.test.", serial, 14400, 3600, 1209600, 300, 3600};
}

ProbeResult soa_reply(const SoaFields& s, Transport t = Transport::udp) {
    auto r = reply(kZone, 6, {Record{kZone + ".", 6, s.ttl, "soa"}}, t);
    r.soa = s;
    return r;
}

const std::vector<std::string> kNames = {"ns1.a.test", "ns1.b.test", "ns2.a.test", "ns2.b.test"};

ProbeResult ns_reply(uint32_t ttl = 86400, std::vector<std::string> names = kNames) {
    std::vector<Record> rs;
    for (const auto& n : names) rs.push_back(Record{kZone + ".", 2, ttl, n + "."});
    return reply(kZone, 2, rs);
}

ServerEvidence server(const std::string& ns, const std::string& addr, const std::string& provider) {
    ServerEvidence s;
    s.nameserver = ns;
    s.address = addr;
    s.provider = provider;
    s.soa_udp = soa_reply(soa());
    s.soa_tcp = soa_reply(soa(), Transport::tcp);
    s.soa_plain = soa_reply(soa());
    s.soa_plain->has_opt = false;
    s.ns_udp = ns_reply();
    s.ns_tcp = ns_reply();
    s.recursion = failed(Outcome::refused, 5);
    s.recursion->query.recursion_desired = true;
    s.watched.push_back(reply(kZone, 1, {Record{kZone + ".", 1, 3600, "192.0.2.10"}}));
    s.watched.push_back(
        reply("www." + kZone, 1, {Record{"www." + kZone + ".", 1, 3600, "192.0.2.80"}}));
    s.aaaa = reply(kZone, 28, {});  // NODATA: the apex has no AAAA, and says so
    s.upward = failed(Outcome::refused, 5);
    s.upward->query.name = ".";
    s.upward->query.type = 2;
    s.axfr.outcome = AxfrOutcome::refused;
    return s;
}

/// Two providers (a.test, b.test) with two NS each, all healthy and in agreement.
AuditEvidence clean() {
    AuditEvidence e;
    e.zone = kZone;
    e.parent_zone = "test";
    e.parent_ns = kNames;
    e.child_ns = kNames;
    e.parent_ns_ttl = 86400;
    const std::vector<std::pair<std::string, std::string>> addrs = {{"ns1.a.test", "10.1.0.1"},
                                                                    {"ns1.b.test", "10.2.0.1"},
                                                                    {"ns2.a.test", "10.1.1.2"},
                                                                    {"ns2.b.test", "10.2.1.2"}};
    for (const auto& [name, addr] : addrs) {
        NameserverEvidence ns;
        ns.name = name;
        ns.provider = name.substr(4);
        ns.addresses = {addr};
        ns.in_parent = ns.in_child = true;
        e.nameservers.push_back(ns);
        e.servers.push_back(server(name, addr, ns.provider));
    }
    return e;
}

const auto kNow = std::chrono::sys_days{std::chrono::year{2026} / 12 / 2};

AuditReport run(const AuditEvidence& e, const AuditThresholds& t = {}) {
    return audit_zone(e, t, kNow);
}

/// The findings' ids, for exact comparisons.
std::vector<std::string> ids(const AuditReport& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(f.id);
    return out;
}

AuditFinding only(const AuditReport& r, const std::string& id) {
    INFO("findings: " << Catch::Detail::stringify(ids(r)));
    REQUIRE(ids(r) == std::vector<std::string>{id});
    return r.findings.front();
}

bool evidence_mentions(const AuditFinding& f, const std::string& text) {
    for (const auto& line : f.evidence) {
        if (line.find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

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
}

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

TEST_CASE("audit: SRV-UDP names a lame server once; the zone survives the loss of either provider",
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

TEST_CASE("audit: CONS-ANSWERS names who said what; failover then fails both ways", "[audit]") {
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

TEST_CASE("audit: a failed discovery is UNKNOWN with no findings", "[audit]") {
    AuditEvidence e;
    e.zone = "nowhere.test";
    e.discovery_error = "NXDOMAIN at the parent";
    const auto r = run(e);
    CHECK(r.status == PluginStatus::unknown);
    CHECK(r.findings.empty());
    CHECK(r.error == "NXDOMAIN at the parent");
}

TEST_CASE("audit: the score drops with severity and fatal losses, never below 0", "[audit]") {
    AuditFinding error{"X", AuditSeverity::error, "", {}, "", ""};
    AuditFinding notice{"Y", AuditSeverity::notice, "", {}, "", ""};
    CHECK(audit_score({error, notice}, {}) == 84);
    CHECK(audit_score({}, {{"p", false, {"why"}}}) == 80);
    CHECK(audit_score(std::vector<AuditFinding>(10, error), {}) == 0);
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
