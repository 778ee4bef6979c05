// B. Each server, probed from outside (docs/AUDIT-CHECKS.md section B).
#include <algorithm>
#include <map>
#include <set>

#include "audit/rules.hpp"
#include "audit/rules/support.hpp"

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

/// "NOERROR", "BADVERS", ... for the rcodes the EDNS probes meet; "rcode n" otherwise.
std::string rcode_text(int rcode) {
    static const std::map<int, std::string> kNames = {
        {0, "NOERROR"}, {1, "FORMERR"}, {2, "SERVFAIL"}, {3, "NXDOMAIN"},
        {4, "NOTIMP"},  {5, "REFUSED"}, {16, "BADVERS"}};
    const auto it = kNames.find(rcode);
    return it != kNames.end() ? it->second : "rcode " + std::to_string(rcode);
}

/// What an EDNS probe got back, for evidence: "BADVERS, OPT version 0", "NOERROR, no OPT",
/// "timeout".
std::string edns_reply_text(const ProbeResult& r) {
    if (!r.answered()) return describe_outcome(r);
    std::string s = rcode_text(r.rcode);
    if (!r.has_opt) return s + ", no OPT";
    s += ", OPT version " + std::to_string(r.edns_version);
    if (r.query.dnssec_ok) s += r.edns_do ? ", DO set" : ", DO clear";
    return s;
}

/// NAMESERVER10 / RFC 6891 §6.1.3: a version the server does not speak gets BADVERS, with an OPT
/// naming the version it does speak (0). Empty when the server did that (or was not probed).
std::string unknown_version_problem(const ServerEvidence& s) {
    if (!s.edns_version1) return {};
    const auto& r = *s.edns_version1;
    if (r.rcode == 16 && r.has_opt && r.edns_version == 0) return {};
    return s.where() + ": SOA with EDNS version 1 → " + edns_reply_text(r) +
           "; expected BADVERS with OPT version 0";
}

/// NAMESERVER11 / RFC 6891 §6.1.2: an option the server does not know is ignored, not echoed and
/// not an error.
std::string unknown_option_problem(const ServerEvidence& s) {
    if (!s.edns_unknown_option) return {};
    const auto& r = *s.edns_unknown_option;
    std::string sent;
    for (const auto& o : r.query.edns_options) {
        if (!sent.empty()) sent += ", ";
        sent += std::to_string(o.code);
    }
    const std::string asked = s.where() + ": SOA with unknown EDNS option " + sent + " → ";
    if (!answers_authoritatively(s.edns_unknown_option))
        return asked + edns_reply_text(r) + "; expected an authoritative NOERROR answer";
    for (const auto& o : r.query.edns_options) {
        if (std::find(r.edns_option_codes.begin(), r.edns_option_codes.end(), o.code) !=
            r.edns_option_codes.end())
            return asked + "answered, but echoed option " + std::to_string(o.code);
    }
    return {};
}

/// NAMESERVER13 / RFC 3225 §3: a query with DO is answered, and the reply's OPT copies DO.
std::string do_bit_problem(const ServerEvidence& s) {
    if (!s.edns_do) return {};
    const auto& r = *s.edns_do;
    if (answers_authoritatively(s.edns_do) && r.has_opt && r.edns_do) return {};
    return s.where() + ": SOA with DO=1 → " + edns_reply_text(r) +
           "; expected an authoritative NOERROR answer with DO set in its OPT";
}

/// The conformance probes' complaints about one server, judged only where plain EDNS works (SOA
/// with EDNS answered with an OPT): a server that fails that is condemned already, once.
std::vector<std::string> edns_conformance_problems(const ServerEvidence& s) {
    std::vector<std::string> out;
    if (!answers_authoritatively(s.soa_udp) || !s.soa_udp->has_opt) return out;
    for (auto&& line : {unknown_version_problem(s), unknown_option_problem(s), do_bit_problem(s)})
        if (!line.empty()) out.push_back(line);
    return out;
}

void edns(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> dropped, no_opt, nonconformant;
    for (const auto& s : e.servers) {
        if (!s.soa_plain || !answers_authoritatively(s.soa_plain)) continue;  // not EDNS's fault
        if (!s.soa_udp || !s.soa_udp->answered() || s.soa_udp->rcode != 0)
            dropped.push_back(s.where() + ": SOA without EDNS answered, with EDNS " +
                              describe_outcome(s.soa_udp));
        else if (!s.soa_udp->has_opt)
            no_opt.push_back(s.where() + ": EDNS query answered without an OPT record");
        for (auto& line : edns_conformance_problems(s)) nonconformant.push_back(std::move(line));
    }
    // One SRV-EDNS finding per zone, at the worst level seen; the conformance lines (other
    // servers) ride along as evidence.
    const std::string also =
        nonconformant.empty() ? "" : " Other servers mishandle EDNS versions, options or DO.";
    const std::string conformance_reference =
        nonconformant.empty() ? "" : "; Zonemaster NAMESERVER10, 11, 13; RFC 3225 §3";
    auto with_conformance = [&](std::vector<std::string> lines) {
        lines.insert(lines.end(), nonconformant.begin(), nonconformant.end());
        return lines;
    };
    if (!dropped.empty())
        out.push_back(make_finding(
            "SRV-EDNS", AuditSeverity::error,
            "A server answers plain DNS but not queries with EDNS: every modern resolver uses "
            "EDNS." +
                also,
            with_conformance(dropped),
            "Zonemaster NAMESERVER02; RFC 8906; RFC 6891" + conformance_reference,
            "Upgrade or reconfigure the server (or the firewall in front of it) to pass EDNS."));
    else if (!no_opt.empty())
        out.push_back(make_finding(
            "SRV-EDNS", AuditSeverity::warning,
            "A server ignores EDNS (no OPT in its replies)." + also, with_conformance(no_opt),
            "RFC 6891 §7; RFC 8906" + conformance_reference,
            "Enable EDNS on the server so it can send answers larger than 512 octets over UDP."));
    else if (!nonconformant.empty())
        out.push_back(make_finding(
            "SRV-EDNS", AuditSeverity::warning,
            "A server mishandles EDNS: an unknown EDNS version, an unknown option or the DO bit "
            "gets the wrong answer, and resolvers may stop using EDNS with it.",
            nonconformant,
            "Zonemaster NAMESERVER10, NAMESERVER11, NAMESERVER13; RFC 6891 §6.1.2, §6.1.3; RFC "
            "8906; RFC 3225 §3",
            "Upgrade the server (or fix the middlebox before it): answer BADVERS with OPT version "
            "0 to unknown versions, ignore unknown options, copy DO into the reply."));
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
            if (rec.type == kTypeNs && above(rec.owner, e.zone)) {
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
