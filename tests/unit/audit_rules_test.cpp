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
    REQUIRE(r.skipped.size() == 1);
    CHECK(r.skipped[0].id == "CONS-ZONE");
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
    CHECK(r.skipped.empty());

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
