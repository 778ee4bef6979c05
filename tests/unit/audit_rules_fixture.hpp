// Shared by the audit_rules_*_test.cpp files: hand-built audit evidence for a healthy zone
// (clean()) that each test breaks in one place, and small helpers to read the report.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "audit/rules.hpp"

namespace nswatch::test::audit {

inline const std::string kZone = "ex.test";

inline ProbeResult reply(const std::string& name, uint16_t type, std::vector<Record> answer,
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

inline ProbeResult failed(Outcome o, int rcode = -1) {
    ProbeResult r;
    r.query.name = kZone;
    r.outcome = o;
    r.rcode = rcode;
    return r;
}

inline SoaFields soa(uint32_t serial = 2026120201) {
    return SoaFields{"ns1.a.test.", "hostmaster.ex.test.", serial, 14400, 3600, 1209600, 300, 3600};
}

inline ProbeResult soa_reply(const SoaFields& s, Transport t = Transport::udp) {
    auto r = reply(kZone, 6, {Record{kZone + ".", 6, s.ttl, "soa"}}, t);
    r.soa = s;
    return r;
}

inline const std::vector<std::string> kNames = {"ns1.a.test", "ns1.b.test", "ns2.a.test",
                                                "ns2.b.test"};

inline ProbeResult ns_reply(uint32_t ttl = 86400, std::vector<std::string> names = kNames) {
    std::vector<Record> rs;
    for (const auto& n : names) rs.push_back(Record{kZone + ".", 2, ttl, n + "."});
    return reply(kZone, 2, rs);
}

inline ServerEvidence server(const std::string& ns, const std::string& addr,
                             const std::string& provider) {
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
inline AuditEvidence clean() {
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

inline const auto kNow = std::chrono::sys_days{std::chrono::year{2026} / 12 / 2};

inline AuditReport run(const AuditEvidence& e, const AuditThresholds& t = {}) {
    return audit_zone(e, t, kNow);
}

/// The findings' ids, for exact comparisons.
inline std::vector<std::string> ids(const AuditReport& r) {
    std::vector<std::string> out;
    for (const auto& f : r.findings) out.push_back(f.id);
    return out;
}

inline AuditFinding only(const AuditReport& r, const std::string& id) {
    INFO("findings: " << Catch::Detail::stringify(ids(r)));
    REQUIRE(ids(r) == std::vector<std::string>{id});
    return r.findings.front();
}

inline bool evidence_mentions(const AuditFinding& f, const std::string& text) {
    for (const auto& line : f.evidence) {
        if (line.find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace nswatch::test::audit
