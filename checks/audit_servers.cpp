// B. Each server, probed from outside (AUDIT-CHECKS.md section B).
#include <algorithm>
#include <set>

#include "checks/audit_rules.hpp"
#include "checks/audit_support.hpp"

namespace nswatch {

using namespace audit_detail;

bool answers_authoritatively(const std::optional<ProbeResult>& r) {
    return r && r->outcome == Outcome::ok && r->aa && r->rcode == 0;
}

std::string describe_outcome(const std::optional<ProbeResult>& r) {
    if (!r) return "not probed";
    std::string s = outcome_name(r->outcome);
    if (r->outcome == Outcome::ok && !r->aa) s = "answer without AA";
    if (!r->detail.empty() && r->outcome != Outcome::ok) s += " (" + r->detail + ")";
    return s;
}

bool audit_detail::server_answers_udp(const ServerEvidence& s) {
    // A server that answers only without EDNS still answers UDP: SRV-EDNS reports it.
    const bool edns_only_trouble = answers_authoritatively(s.soa_plain) &&
                                   (!s.soa_udp || !s.soa_udp->answered() || s.soa_udp->rcode != 0);
    return edns_only_trouble ||
           (answers_authoritatively(s.soa_udp) && answers_authoritatively(s.ns_udp));
}

bool audit_detail::server_answers_tcp(const ServerEvidence& s) {
    return answers_authoritatively(s.soa_tcp) && answers_authoritatively(s.ns_tcp);
}

namespace {

/// Answers SOA without EDNS but not with it.
bool edns_intolerant(const ServerEvidence& s) {
    return answers_authoritatively(s.soa_plain) &&
           (!s.soa_udp || !s.soa_udp->answered() || s.soa_udp->rcode != 0);
}

void transports(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> udp_bad, tcp_bad;
    size_t udp_good = 0, tcp_good = 0;
    for (const auto& s : e.servers) {
        const bool u = server_answers_udp(s), t = server_answers_tcp(s);
        udp_good += u;
        tcp_good += t;
        // A server that fails both (lame, down) is reported once, under SRV-UDP.
        if (!u)
            udp_bad.push_back(s.where() + ": UDP SOA " + describe_outcome(s.soa_udp) + ", NS " +
                              describe_outcome(s.ns_udp) + "; TCP SOA " +
                              describe_outcome(s.soa_tcp));
        // An EDNS-intolerant server rejects our (EDNS) TCP probes with FORMERR too: SRV-EDNS
        // reports it, once.
        else if (!t && !(edns_intolerant(s) && s.soa_tcp && s.soa_tcp->outcome == Outcome::formerr))
            tcp_bad.push_back(s.where() + ": TCP SOA " + describe_outcome(s.soa_tcp) + ", NS " +
                              describe_outcome(s.ns_tcp));
    }
    if (e.servers.empty()) return;
    if (!udp_bad.empty()) {
        const bool none = udp_good == 0;
        out.push_back(make_finding(
            "SRV-UDP", none ? AuditSeverity::critical : AuditSeverity::warning,
            none ? "No nameserver answers the zone authoritatively: it is dark."
                 : "Some nameserver addresses do not answer SOA/NS authoritatively (lame or down).",
            udp_bad, "Zonemaster CONNECTIVITY01, BASIC02",
            "Fix or remove the servers listed: each must serve the zone with AA over UDP."));
    }
    if (!tcp_bad.empty()) {
        const bool none = tcp_good == 0;
        out.push_back(make_finding(
            "SRV-TCP", none ? AuditSeverity::critical : AuditSeverity::warning,
            none ? "No nameserver answers over TCP: large and truncated answers fail everywhere."
                 : "Some nameserver addresses answer over UDP but not over TCP.",
            tcp_bad, "Zonemaster CONNECTIVITY02; RFC 7766 §5",
            "Open TCP port 53 to the servers listed (TCP is required, not optional)."));
    }
}

void edns(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> dropped, no_opt;
    for (const auto& s : e.servers) {
        if (!s.soa_plain || !answers_authoritatively(s.soa_plain)) continue;  // not EDNS's fault
        if (!s.soa_udp || !s.soa_udp->answered() || s.soa_udp->rcode != 0)
            dropped.push_back(s.where() + ": SOA without EDNS answered, with EDNS " +
                              describe_outcome(s.soa_udp));
        else if (!s.soa_udp->has_opt)
            no_opt.push_back(s.where() + ": EDNS query answered without an OPT record");
    }
    if (!dropped.empty())
        out.push_back(make_finding(
            "SRV-EDNS", AuditSeverity::error,
            "A server answers plain DNS but not queries with EDNS: every modern resolver uses "
            "EDNS.",
            dropped, "Zonemaster NAMESERVER02; RFC 8906; RFC 6891",
            "Upgrade or reconfigure the server (or the firewall in front of it) to pass EDNS."));
    else if (!no_opt.empty())
        out.push_back(make_finding(
            "SRV-EDNS", AuditSeverity::warning, "A server ignores EDNS (no OPT in its replies).",
            no_opt, "RFC 6891 §7; RFC 8906",
            "Enable EDNS on the server so it can send answers larger than 512 octets over UDP."));
}

void open_recursion(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> evidence;
    for (const auto& s : e.servers) {
        if (!s.recursion || !s.recursion->answered()) continue;
        const auto& r = *s.recursion;
        const bool resolved = r.rcode == 0 && !r.answer.empty() && !r.aa;
        if (r.ra || resolved)
            evidence.push_back(
                s.where() + ": RD query for " + r.query.name + " → " +
                (r.ra ? "RA set" : "RA clear") +
                (resolved ? ", resolved (" + std::to_string(r.answer.size()) + " answer records)"
                          : ""));
    }
    if (evidence.empty()) return;
    out.push_back(make_finding(
        "SRV-OPEN-RECURSION", AuditSeverity::error,
        "An authoritative server offers recursion to the world (amplification and cache "
        "poisoning risk).",
        evidence, "Zonemaster NAMESERVER01; RFC 5358",
        "Turn recursion off on authoritative servers (BIND: recursion no;)."));
}

void open_axfr(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> evidence;
    for (const auto& s : e.servers) {
        if (s.axfr.outcome == AxfrOutcome::allowed)
            evidence.push_back(s.where() + ": AXFR of " + e.zone + " allowed (" +
                               std::to_string(s.axfr.records.size()) + " records)");
    }
    if (evidence.empty()) return;
    out.push_back(
        make_finding("SRV-OPEN-AXFR", AuditSeverity::warning,
                     "A server hands the whole zone to anyone who asks (AXFR).", evidence,
                     "Zonemaster NAMESERVER03",
                     "Allow zone transfers only to your secondaries' addresses (or TSIG keys)."));
}

/// `owner` (canonical, trailing dot) is the root or a zone above `zone`.
bool above(const std::string& owner, const std::string& zone) {
    if (owner == ".") return true;
    const std::string apex = zone + ".";
    return apex.size() > owner.size() && apex.ends_with(owner) &&
           apex[apex.size() - owner.size() - 1] == '.';
}

void aaaa(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> evidence;
    for (const auto& s : e.servers) {
        // Judged only where the SOA query with EDNS, sent the same way, was answered: a dark
        // server is SRV-UDP's, an EDNS-intolerant one SRV-EDNS's.
        if (!s.aaaa || !answers_authoritatively(s.soa_udp)) continue;
        const auto& r = *s.aaaa;
        // NOERROR with AA, with or without data (NODATA is right when there is no AAAA); a
        // truncated reply is an answer too (resolvers retry over TCP).
        if ((r.outcome == Outcome::ok && r.aa && r.rcode == 0) || r.outcome == Outcome::truncated)
            continue;
        std::string line = s.where() + ": AAAA " + r.query.name + " → " + describe_outcome(s.aaaa);
        if (r.outcome == Outcome::nxdomain) line += ", though SOA for the same name answered";
        evidence.push_back(line);
    }
    if (evidence.empty()) return;
    out.push_back(make_finding(
        "SRV-AAAA", AuditSeverity::error,
        "A server mishandles AAAA queries (drops them or denies a name that exists): IPv6-capable "
        "clients stall or fail.",
        evidence, "Zonemaster NAMESERVER05; RFC 4074",
        "Fix the server (or the middlebox before it) to answer AAAA like any type: NOERROR, with "
        "no "
        "data when the name has no AAAA."));
}

void upward_referral(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> evidence;
    for (const auto& s : e.servers) {
        if (!s.upward || !s.upward->answered()) continue;
        const auto& r = *s.upward;
        if (r.rcode != 0 || r.aa || !r.answer.empty()) continue;
        std::set<std::string> owners;
        size_t count = 0;
        for (const auto& rec : r.authority) {
            if (rec.type == 2 && above(rec.owner, e.zone)) {
                owners.insert(rec.owner);
                ++count;
            }
        }
        if (owners.empty()) continue;
        evidence.push_back(s.where() + ": NS " + r.query.name + " with RD=0 → referral to " +
                           join(std::vector<std::string>(owners.begin(), owners.end())) + " (" +
                           std::to_string(count) + " NS records, AA clear)");
    }
    if (evidence.empty()) return;
    out.push_back(make_finding(
        "SRV-UPWARD-REFERRAL", AuditSeverity::warning,
        "A server answers names outside its zones with a referral upward (to the root or a "
        "parent), which wastes resolver work and can be used for amplification.",
        evidence, "Zonemaster NAMESERVER07",
        "Make the server answer REFUSED for names outside its zones (e.g. drop root hints from "
        "authoritative-only configurations)."));
}

void nsid(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> evidence;
    bool any = false;
    for (const auto& s : e.servers) {
        std::string id;
        for (const auto* r : {&s.soa_udp, &s.ns_udp, &s.soa_tcp}) {
            if (*r && !(*r)->nsid.empty()) {
                id = (*r)->nsid;
                break;
            }
        }
        any = any || !id.empty();
        evidence.push_back(s.where() + ": " + (id.empty() ? "no NSID" : "NSID \"" + id + "\""));
    }
    if (!any) return;  // nothing to record: the servers do not offer NSID
    out.push_back(make_finding(
        "SRV-NSID", AuditSeverity::info,
        "The NSID each address returned, to tell anycast instances apart.", evidence, "RFC 5001",
        "Quote the NSID when reporting a fault to a provider; enable NSID where it is missing."));
}

}  // namespace

std::vector<AuditFinding> audit_servers(const AuditEvidence& e, const AuditThresholds&) {
    std::vector<AuditFinding> out;
    transports(e, out);
    edns(e, out);
    open_recursion(e, out);
    open_axfr(e, out);
    aaaa(e, out);
    upward_referral(e, out);
    nsid(e, out);
    return out;
}

}  // namespace nswatch
