// A. Delegation and provider diversity (docs/AUDIT-CHECKS.md section A).
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "audit/rules.hpp"
#include "audit/rules/support.hpp"

namespace nswatch {

using namespace audit_detail;

namespace {

bool is_ipv6(const std::string& a) {
    return a.find(':') != std::string::npos;
}

/// The /24 (IPv4) or /48 (IPv6) an address lies in, as text; empty when it does not parse.
std::string prefix_of(const std::string& address) {
    if (is_ipv6(address)) {
        std::array<unsigned char, 16> b{};
        if (inet_pton(AF_INET6, address.c_str(), b.data()) != 1) return {};
        char buf[64];
        std::snprintf(buf, sizeof buf, "%02x%02x:%02x%02x:%02x%02x::/48", b[0], b[1], b[2], b[3],
                      b[4], b[5]);
        return buf;
    }
    std::array<unsigned char, 4> b{};
    if (inet_pton(AF_INET, address.c_str(), b.data()) != 1) return {};
    return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + ".0/24";
}

/// Loopback, RFC 1918, link-local, documentation, ULA: not reachable from the Internet.
bool is_private(const std::string& address) {
    if (is_ipv6(address)) {
        std::array<unsigned char, 16> b{};
        if (inet_pton(AF_INET6, address.c_str(), b.data()) != 1) return true;
        const bool loopback =
            std::all_of(b.begin(), b.end() - 1, [](auto c) { return c == 0; }) && b[15] == 1;
        const bool ula = (b[0] & 0xfe) == 0xfc;
        const bool link_local = b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
        const bool doc = b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8;
        return loopback || ula || link_local || doc;
    }
    std::array<unsigned char, 4> b{};
    if (inet_pton(AF_INET, address.c_str(), b.data()) != 1) return true;
    return b[0] == 10 || b[0] == 127 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
           (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
           (b[0] == 100 && (b[1] & 0xc0) == 64);
}

void ns_count(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> evidence;
    bool bad = false;
    if (!e.from_config && e.parent_ns.size() < 2) {
        bad = true;
        evidence.push_back("parent (" + e.parent_zone + ") lists " +
                           std::to_string(e.parent_ns.size()) + " NS: " + join(e.parent_ns));
    }
    const auto child_count = e.from_config ? e.nameservers.size() : e.child_ns.size();
    if (child_count < 2) {
        bad = true;
        evidence.push_back("the zone lists " + std::to_string(child_count) +
                           " NS: " + join(e.child_ns));
    }
    int v4 = 0, v6 = 0;
    for (const auto& ns : e.nameservers) {
        v4 += std::any_of(ns.addresses.begin(), ns.addresses.end(),
                          [](const auto& a) { return !is_ipv6(a); });
        v6 += std::any_of(ns.addresses.begin(), ns.addresses.end(),
                          [](const auto& a) { return is_ipv6(a); });
    }
    if (v4 < 2) {
        bad = true;
        evidence.push_back(std::to_string(v4) + " NS name(s) with an IPv4 address");
    }
    if (v6 > 0 && v6 < 2) {
        bad = true;
        evidence.push_back(std::to_string(v6) + " NS name with an IPv6 address");
    }
    if (!bad) return;
    out.push_back(make_finding(
        "DEL-NSCOUNT", AuditSeverity::error, "Fewer than two nameservers where two are required.",
        evidence, "Zonemaster DELEGATION01; RFC 2182 §5",
        "Delegate to at least two (better three) nameservers, each reachable over IPv4 (and IPv6 "
        "if any is)."));
}

void providers(const AuditEvidence& e, const AuditThresholds& t, std::vector<AuditFinding>& out) {
    const auto by = ns_by_provider(e);
    std::vector<std::string> evidence;
    for (const auto& [p, names] : by) evidence.push_back(p + ": " + join(names));
    const bool too_few = static_cast<int>(by.size()) < t.min_providers;
    std::vector<std::string> thin;
    for (const auto& [p, names] : by) {
        if (static_cast<int>(names.size()) < t.min_ns_per_provider) thin.push_back(p);
    }
    if (!too_few && thin.empty()) {
        // DEL-BALANCE: 1 vs 3 NS sends ~3/4 of resolver traffic to one provider.
        std::set<size_t> sizes;
        for (const auto& [p, names] : by) sizes.insert(names.size());
        if (sizes.size() > 1) {
            out.push_back(make_finding(
                "DEL-BALANCE", AuditSeverity::warning,
                "Providers carry unequal numbers of NS names, so resolver traffic is uneven.",
                evidence, "RFC 2182 §5",
                "Give every provider the same number of NS names in the delegation."));
        }
        return;
    }
    std::string summary = too_few ? "The delegation uses " + std::to_string(by.size()) +
                                        " provider(s): losing it takes the zone dark."
                                  : "Provider(s) " + join(thin) + " have fewer than " +
                                        std::to_string(t.min_ns_per_provider) +
                                        " NS names in the delegation.";
    out.push_back(make_finding(
        "DEL-PROVIDERS", AuditSeverity::error, summary, evidence,
        "RFC 8901 §1; Dyn 2016 post-mortems",
        "Add a second DNS provider to the parent's NS set, with at least two NS names each."));
}

void parent_child(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    if (e.from_config || e.parent_ns.empty() || e.child_ns.empty()) return;
    std::vector<std::string> only_parent, only_child;
    std::set_difference(e.parent_ns.begin(), e.parent_ns.end(), e.child_ns.begin(),
                        e.child_ns.end(), std::back_inserter(only_parent));
    std::set_difference(e.child_ns.begin(), e.child_ns.end(), e.parent_ns.begin(),
                        e.parent_ns.end(), std::back_inserter(only_child));
    if (only_parent.empty() && only_child.empty()) return;
    std::vector<std::string> evidence{"parent (" + e.parent_zone + "): " + join(e.parent_ns),
                                      "zone: " + join(e.child_ns)};
    if (!only_parent.empty()) evidence.push_back("only at the parent: " + join(only_parent));
    if (!only_child.empty()) evidence.push_back("only in the zone: " + join(only_child));
    const bool error = !only_parent.empty();
    out.push_back(make_finding(
        "DEL-PARENT-CHILD", error ? AuditSeverity::error : AuditSeverity::notice,
        error ? "The parent delegates to NS names the zone does not list."
              : "The zone lists NS names the parent does not delegate to (they get no traffic).",
        evidence, "Zonemaster DELEGATION07; DNSViz NS_NAME_NOT_IN_CHILD/PARENT",
        "Make the parent's NS set and the zone's NS RRset identical (update the registrar or the "
        "zone)."));
}

void nsset_consistent(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::map<std::set<std::string>, std::vector<std::string>> sets;
    std::vector<std::string> not_aa;
    for (const auto& s : e.servers) {
        if (!s.ns_udp || !s.ns_udp->answered() || s.ns_udp->rcode != 0) continue;
        if (!s.ns_udp->aa) not_aa.push_back(s.where());
        if (s.ns_udp->outcome != Outcome::ok) continue;
        sets[rdata_set(*s.ns_udp, 2)].push_back(s.where());
    }
    if (sets.size() <= 1 && not_aa.empty()) return;
    std::vector<std::string> evidence;
    for (const auto& [set, who] : sets) {
        std::vector<std::string> names(set.begin(), set.end());
        evidence.push_back(join(who) + " → NS " + join(names, " "));
    }
    if (!not_aa.empty()) evidence.push_back("NS answer without AA: " + join(not_aa));
    out.push_back(make_finding(
        "DEL-NSSET-CONSISTENT", AuditSeverity::error,
        "Nameservers return different NS RRsets (or answer NS without authority).", evidence,
        "Zonemaster CONSISTENCY04; RFC 8901 §2",
        "Publish the same NS RRset, naming every provider's servers, at every provider."));
}

void distinct_ip(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::map<std::string, std::set<std::string>> names_of;
    for (const auto& ns : e.nameservers) {
        for (const auto& a : ns.addresses) names_of[a].insert(ns.name);
    }
    std::vector<std::string> evidence;
    for (const auto& [a, names] : names_of) {
        if (names.size() > 1)
            evidence.push_back(a + " is the address of " +
                               join(std::vector<std::string>(names.begin(), names.end())));
    }
    if (evidence.empty()) return;
    out.push_back(make_finding("DEL-DISTINCT-IP", AuditSeverity::error,
                               "Several NS names share one address: they are one server.", evidence,
                               "Zonemaster DELEGATION02",
                               "Give every NS name its own server address."));
}

void net_prefix(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::set<std::string> p4, p6;
    size_t n4 = 0, n6 = 0;
    for (const auto& ns : e.nameservers) {
        for (const auto& a : ns.addresses) {
            const auto p = prefix_of(a);
            if (p.empty()) continue;
            (is_ipv6(a) ? p6 : p4).insert(p);
            ++(is_ipv6(a) ? n6 : n4);
        }
    }
    std::vector<std::string> evidence;
    if (n4 > 1 && p4.size() == 1)
        evidence.push_back("all " + std::to_string(n4) + " IPv4 addresses in " + *p4.begin());
    if (n6 > 1 && p6.size() == 1)
        evidence.push_back("all " + std::to_string(n6) + " IPv6 addresses in " + *p6.begin());
    if (evidence.empty()) return;
    out.push_back(make_finding(
        "NET-PREFIX", AuditSeverity::warning,
        "All nameserver addresses of a family sit in one network prefix: one routing failure "
        "takes them all.",
        evidence, "Zonemaster CONNECTIVITY04; RFC 2182 §3.1",
        "Place nameservers in different networks (different /24 and /48, ideally different "
        "ASNs)."));
}

void glue(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> evidence;
    for (const auto& ns : e.nameservers) {
        if (ns.glue.empty() || ns.addresses.empty()) continue;
        auto g = ns.glue, a = ns.addresses;
        std::sort(g.begin(), g.end());
        std::sort(a.begin(), a.end());
        if (g != a)
            evidence.push_back(ns.name + ": parent glue " + join(g) + ", zone says " + join(a));
    }
    if (evidence.empty()) return;
    out.push_back(
        make_finding("DEL-GLUE", AuditSeverity::error,
                     "The parent's glue differs from the addresses the zone publishes.", evidence,
                     "Zonemaster CONSISTENCY05; DNSViz GLUE_MISMATCH",
                     "Update the glue at the registrar to the nameservers' current addresses."));
}

void ns_name(const AuditEvidence& e, const AuditThresholds& t, std::vector<AuditFinding>& out) {
    std::vector<std::string> evidence;
    for (const auto& ns : e.nameservers) {
        if (ns.cname) evidence.push_back(ns.name + " is a CNAME");
        if (ns.addresses.empty())
            evidence.push_back(ns.name + " has no address" +
                               (ns.error.empty() ? "" : ": " + ns.error));
        if (!t.private_addresses_ok) {
            for (const auto& a : ns.addresses) {
                if (is_private(a)) evidence.push_back(ns.name + " has non-global address " + a);
            }
        }
    }
    if (evidence.empty()) return;
    out.push_back(
        make_finding("DEL-NSNAME", AuditSeverity::error,
                     "An NS name does not resolve to usable, globally routable addresses.",
                     evidence, "Zonemaster NAMESERVER06, DELEGATION05, ADDRESS01; RFC 2181 §10.3",
                     "Make every NS name an A/AAAA record (never a CNAME) with public addresses."));
}

void referral_size(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    // 512 octets: the UDP limit without EDNS (RFC 1035 §4.2.1); not a threshold of ours.
    constexpr size_t kLimit = 512;
    if (!e.referral || e.referral->octets <= kLimit) return;
    const auto& r = *e.referral;
    out.push_back(make_finding(
        "DEL-REFERRAL-SIZE", AuditSeverity::warning,
        "The parent's referral for a long name does not fit in 512 octets: resolvers without EDNS "
        "get it truncated and must retry over TCP.",
        {"referral from " + (e.parent_zone.empty() ? std::string("the parent") : e.parent_zone) +
         " for a 255-octet name under " + e.zone + ": " + std::to_string(r.octets) + " octets (" +
         std::to_string(r.ns) + " NS, " + std::to_string(r.glue) + " glue records)"},
        "Zonemaster DELEGATION03; RFC 1035 §4.2.1",
        "Delegate to fewer or shorter NS names, or to names outside the zone that need no glue."));
}

}  // namespace

std::vector<AuditFinding> audit_delegation(const AuditEvidence& e, const AuditThresholds& t) {
    std::vector<AuditFinding> out;
    if (e.delegation_missing.missing()) {
        out.push_back(make_finding(
            "DEL-MISSING", AuditSeverity::critical,
            "The zone's delegation is missing: no resolver can reach the zone.",
            {std::string(to_string(e.delegation_missing.reason)) + ": " +
             e.delegation_missing.detail},
            "Zonemaster BASIC01, BASIC02; RFC 1034 §4.2",
            "Restore the NS records (and glue) at the parent, give the NS names addresses, and "
            "make the delegated servers serve the zone authoritatively."));
        return out;  // the other delegation checks need a delegation
    }
    ns_count(e, out);
    providers(e, t, out);
    parent_child(e, out);
    nsset_consistent(e, out);
    distinct_ip(e, out);
    net_prefix(e, out);
    glue(e, out);
    ns_name(e, t, out);
    referral_size(e, out);
    return out;
}

}  // namespace nswatch
