// NET-ASN (docs/AUDIT-CHECKS.md section A): are the delegated nameservers spread over autonomous
// systems? Fed the origin ASNs the collector looked up in the configured TXT zone (e.asn).
//
// IMPLEMENTATION NOTES
// - Judged per address family, like NET-PREFIX and Zonemaster CONNECTIVITY03: a resolver with only
//   IPv4 depends on the IPv4 addresses alone.
// - "All in one ASN" means one ASN that originates every address of the family (a multi-origin
//   prefix counts for each of its ASNs). With two or more providers that is an ERROR: the provider
//   diversity of the delegation does not survive one network's outage. With one provider it is a
//   WARNING (DEL-PROVIDERS already reports the single provider).
// - A family with a single address is left to DEL-NSCOUNT.
// - When any delegated address has no ASN (the look-up failed or the source does not know it), the
//   check is skipped, with the addresses named: judging the rest could call a spread-out zone
//   concentrated.
#include <algorithm>
#include <map>
#include <set>

#include "audit/rules.hpp"
#include "audit/rules/support.hpp"

namespace nswatch {

using namespace audit_detail;

namespace {

struct Address {
    std::string where;  ///< "ns1.a.test (192.0.2.1)"
    std::string provider;
    const AsnLookup* asn = nullptr;
};

std::string as_list(const std::vector<uint32_t>& asns) {
    std::vector<std::string> out;
    for (auto a : asns) out.push_back("AS" + std::to_string(a));
    return join(out, " ");
}

}  // namespace

std::vector<AuditFinding> audit_net_asn(const AuditEvidence& e, const AuditThresholds& t,
                                        std::vector<AuditSkip>& skipped) {
    if (t.asn_zone.empty()) {
        skipped.push_back({"NET-ASN", "no IP-to-ASN source is configured (audit.asn_zone)"});
        return {};
    }
    std::map<bool, std::vector<Address>> by_family;  // IPv6? -> addresses
    std::vector<std::string> unknown;
    for (const auto& ns : e.nameservers) {
        if (!e.from_config && !ns.in_parent) continue;  // resolvers never ask the others
        for (const auto& a : ns.addresses) {
            const auto it = e.asn.find(a);
            if (it == e.asn.end() || it->second.asns.empty()) {
                unknown.push_back(ns.name + " (" + a +
                                  "): " + (it == e.asn.end() ? "not looked up" : it->second.error));
                continue;
            }
            by_family[a.find(':') != std::string::npos].push_back(
                {ns.name + " (" + a + ")", ns.provider, &it->second});
        }
    }
    if (!unknown.empty()) {
        skipped.push_back({"NET-ASN", "no ASN from " + t.asn_zone + " for " + join(unknown, "; ")});
        return {};
    }
    std::vector<std::string> evidence;
    bool error = false;
    for (const auto& [v6, addresses] : by_family) {
        if (addresses.size() < 2) continue;
        std::set<uint32_t> common(addresses[0].asn->asns.begin(), addresses[0].asn->asns.end());
        std::set<std::string> providers;
        for (const auto& a : addresses) {
            std::set<uint32_t> keep;
            for (auto n : a.asn->asns) {
                if (common.count(n)) keep.insert(n);
            }
            common = std::move(keep);
            providers.insert(a.provider);
        }
        if (common.empty()) continue;
        error = error || providers.size() >= 2;
        evidence.push_back("all " + std::to_string(addresses.size()) + (v6 ? " IPv6" : " IPv4") +
                           " addresses in " + as_list({common.begin(), common.end()}) +
                           " (provider(s) " + join({providers.begin(), providers.end()}) + ")");
        for (const auto& a : addresses) {
            evidence.push_back(a.where + ": " + as_list(a.asn->asns) +
                               (a.asn->prefix.empty() ? "" : " " + a.asn->prefix));
        }
    }
    if (evidence.empty()) return {};
    return {make_finding(
        "NET-ASN", error ? AuditSeverity::error : AuditSeverity::warning,
        error ? "Every provider's nameservers sit in one autonomous system: the provider diversity "
                "does not survive an outage or attack on that one network."
              : "All nameserver addresses of a family sit in one autonomous system: one routing "
                "failure or attack on that network takes them all.",
        evidence, "Zonemaster CONNECTIVITY03; RFC 2182 §3.1",
        "Serve the zone from at least two autonomous systems, through providers that run separate "
        "networks.")};
}

}  // namespace nswatch
