// D and E. SOA timers and TTLs (docs/AUDIT-CHECKS.md sections D and E).
#include <algorithm>
#include <map>
#include <set>

#include "audit/rules.hpp"
#include "audit/rules/support.hpp"

namespace nswatch {

using namespace audit_detail;

namespace {

/// Servers grouped by one SOA field's value, for the values `bad` rejects.
template <typename Field, typename Bad>
std::vector<std::string> soa_evidence(const AuditEvidence& e, const char* label, Field field,
                                      Bad bad) {
    std::map<std::string, std::vector<std::string>> by_value;
    for (const auto& s : e.servers) {
        const auto* soa = soa_of(s);
        if (soa && bad(*soa)) by_value[field(*soa)].push_back(s.where());
    }
    std::vector<std::string> out;
    for (const auto& [v, who] : by_value)
        out.push_back(std::string(label) + " " + v + " at " + join(who));
    return out;
}

std::string n(uint32_t v) {
    return std::to_string(v);
}

void soa_timers(const AuditEvidence& e, const AuditThresholds& t, std::vector<AuditFinding>& out) {
    auto ev = soa_evidence(
        e, "EXPIRE",
        [](const SoaFields& s) { return n(s.expire) + " (REFRESH " + n(s.refresh) + ")"; },
        [&](const SoaFields& s) { return s.expire < t.min_expire || s.expire < s.refresh; });
    if (!ev.empty())
        out.push_back(make_finding(
            "SOA-EXPIRE", AuditSeverity::warning,
            "SOA EXPIRE is below " + n(t.min_expire) +
                " s: secondaries stop answering that soon after losing the primary.",
            ev, "Zonemaster ZONE05; RFC 1912 §2.2",
            "Raise EXPIRE to 2-4 weeks (1209600-2419200) so secondaries outlast a primary "
            "outage."));
    ev = soa_evidence(
        e, "REFRESH", [](const SoaFields& s) { return n(s.refresh); },
        [&](const SoaFields& s) { return s.refresh < t.min_refresh; });
    if (!ev.empty())
        out.push_back(make_finding("SOA-REFRESH", AuditSeverity::notice,
                                   "SOA REFRESH is below " + n(t.min_refresh) + " s.", ev,
                                   "Zonemaster ZONE02; RFC 1912 §2.2",
                                   "With NOTIFY in place, set REFRESH to at least 4 hours."));
    ev = soa_evidence(
        e, "RETRY",
        [](const SoaFields& s) { return n(s.retry) + " (REFRESH " + n(s.refresh) + ")"; },
        [&](const SoaFields& s) { return s.retry >= s.refresh || s.retry < t.min_retry; });
    if (!ev.empty())
        out.push_back(make_finding(
            "SOA-RETRY", AuditSeverity::notice,
            "SOA RETRY is not below REFRESH, or below " + n(t.min_retry) + " s.", ev,
            "Zonemaster ZONE03, ZONE04", "Set RETRY below REFRESH and at least one hour."));
    ev = soa_evidence(
        e, "MINIMUM", [](const SoaFields& s) { return n(s.minimum); },
        [&](const SoaFields& s) { return s.minimum < t.min_minimum || s.minimum > t.max_minimum; });
    if (!ev.empty())
        out.push_back(make_finding("SOA-MINIMUM", AuditSeverity::notice,
                                   "SOA MINIMUM (negative-caching TTL) is outside " +
                                       n(t.min_minimum) + "-" + n(t.max_minimum) + " s.",
                                   ev, "Zonemaster ZONE06; RFC 2308",
                                   "Set MINIMUM between 5 minutes and 1 day."));
}

void ns_ttl(const AuditEvidence& e, const AuditThresholds& t, std::vector<AuditFinding>& out) {
    std::vector<std::string> low, very_low;
    auto judge = [&](uint32_t ttl, const std::string& who) {
        const auto line = who + ": NS TTL " + n(ttl);
        if (ttl < t.ns_ttl_error)
            very_low.push_back(line);
        else if (ttl < t.ns_ttl_warning)
            low.push_back(line);
    };
    if (!e.from_config && e.parent_ns_ttl > 0)
        judge(e.parent_ns_ttl, "parent (" + e.parent_zone + ")");
    std::map<uint32_t, std::vector<std::string>> child;
    for (const auto& s : e.servers) {
        if (!answers_authoritatively(s.ns_udp)) continue;
        for (const auto& r : s.ns_udp->answer) {
            if (r.type == kTypeNs) {
                child[r.ttl].push_back(s.where());
                break;
            }
        }
    }
    for (const auto& [ttl, who] : child) judge(ttl, join(who));
    if (very_low.empty() && low.empty()) return;
    const bool error = !very_low.empty();
    auto evidence = very_low;
    evidence.insert(evidence.end(), low.begin(), low.end());
    out.push_back(
        make_finding("TTL-NS", error ? AuditSeverity::error : AuditSeverity::warning,
                     "NS TTL below " + n(error ? t.ns_ttl_error : t.ns_ttl_warning) +
                         " s: resolvers forget the delegation quickly, so an attack bites sooner.",
                     evidence, "RFC 9199 §C5, §C6",
                     "Raise the NS TTL (parent and zone) to at least 4 hours, ideally a day."));
}

void zone_soa(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    const std::string apex = e.zone + ".";
    std::vector<std::string> evidence;
    for (const auto& s : e.servers) {
        // One line per server: the first SOA probe (UDP, TCP, no EDNS) whose answer is wrong.
        for (const auto* r : {&s.soa_udp, &s.soa_tcp, &s.soa_plain}) {
            if (!answers_authoritatively(*r)) continue;
            size_t count = 0;
            std::vector<std::string> elsewhere;
            for (const auto& rec : (*r)->answer) {
                if (rec.type != kTypeSoa) continue;
                ++count;
                if (rec.owner != apex) elsewhere.push_back(rec.owner);
            }
            if (count == 1 && elsewhere.empty()) continue;
            std::string how = "UDP";
            if ((*r)->target.transport == Transport::tcp)
                how = "TCP";
            else if (!(*r)->query.edns)
                how = "UDP without EDNS";
            std::string line = s.where() + ": SOA " + apex + " over " + how + " → ";
            if (count == 0)
                line += "no SOA in the answer";
            else if (!elsewhere.empty())
                line += "SOA owned by " + join(elsewhere) + ", not the apex";
            else
                line += n(static_cast<uint32_t>(count)) + " SOA records";
            evidence.push_back(line);
            break;
        }
    }
    if (evidence.empty()) return;
    out.push_back(
        make_finding("ZONE-SOA", AuditSeverity::error,
                     "A server does not return exactly one SOA record at the zone apex.", evidence,
                     "Zonemaster ZONE10, DELEGATION06; RFC 1035 §5.2",
                     "Serve exactly one SOA record, owned by the apex, from every server."));
}

/// `name` (canonical, trailing dot) is in the zone: glue-like, its TTL is the zone's to set.
bool in_bailiwick(const std::string& name, const std::string& zone) {
    const std::string apex = zone + ".";
    return name == apex || (name.size() > apex.size() && name.ends_with(apex) &&
                            name[name.size() - apex.size() - 1] == '.');
}

void ns_addr_ttl(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    // IMPLEMENTATION NOTE: the address TTLs come from the additional section of each server's NS
    // answer (every server we know adds in-zone NS addresses there); a server that leaves it empty
    // is not judged.
    std::map<std::string, std::vector<std::string>> longer;  // "name A TTL x > NS TTL y" → who
    for (const auto& s : e.servers) {
        if (!answers_authoritatively(s.ns_udp)) continue;
        std::optional<uint32_t> ns_ttl;
        std::set<std::string> names;
        for (const auto& r : s.ns_udp->answer) {
            if (r.type != kTypeNs) continue;
            ns_ttl = ns_ttl ? std::min(*ns_ttl, r.ttl) : r.ttl;
            names.insert(r.rdata);
        }
        if (!ns_ttl) continue;
        for (const auto& r : s.ns_udp->additional) {
            if ((r.type != kTypeA && r.type != kTypeAaaa) || !names.count(r.owner) ||
                !in_bailiwick(r.owner, e.zone) || r.ttl <= *ns_ttl)
                continue;
            longer[r.owner + " " + rr_type_name(r.type) + " TTL " + n(r.ttl) + " > NS TTL " +
                   n(*ns_ttl)]
                .push_back(s.where());
        }
    }
    if (longer.empty()) return;
    std::vector<std::string> evidence;
    for (const auto& [what, who] : longer) evidence.push_back(what + " at " + join(who));
    out.push_back(make_finding(
        "TTL-NS-ADDR", AuditSeverity::notice,
        "In-zone nameserver addresses outlive the NS RRset in caches.", evidence, "RFC 9199 §C5",
        "Set the TTL of in-zone nameserver A/AAAA records no longer than the NS TTL."));
}

void critical_ttl(const AuditEvidence& e, const AuditThresholds& t,
                  std::vector<AuditFinding>& out) {
    std::map<std::string, std::vector<std::string>> low;
    for (const auto& s : e.servers) {
        for (const auto& r : s.watched) {
            if (r.outcome != Outcome::ok) continue;
            for (const auto& rec : r.answer) {
                if (rec.type == r.query.type && rec.ttl < t.critical_ttl) {
                    low[rec.owner + " " + rr_type_name(rec.type) + " TTL " + n(rec.ttl)].push_back(
                        s.where());
                    break;
                }
            }
        }
    }
    if (low.empty()) return;
    std::vector<std::string> evidence;
    for (const auto& [what, who] : low) evidence.push_back(what + " at " + join(who));
    out.push_back(make_finding(
        "TTL-CRITICAL", AuditSeverity::warning,
        "Watched records have TTLs below " + n(t.critical_ttl) +
            " s: caches cannot shield users during an outage.",
        evidence, "RFC 9199",
        "Raise the TTL of records that are not load-balanced to at least 15 minutes."));
}

}  // namespace

std::vector<AuditFinding> audit_timers(const AuditEvidence& e, const AuditThresholds& t) {
    std::vector<AuditFinding> out;
    soa_timers(e, t, out);
    zone_soa(e, out);
    ns_ttl(e, t, out);
    ns_addr_ttl(e, out);
    critical_ttl(e, t, out);
    return out;
}

}  // namespace nswatch
