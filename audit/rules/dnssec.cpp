// F. DNSSEC across providers (docs/AUDIT-CHECKS.md section F), when the zone is signed.
//
// IMPLEMENTATION NOTES
// - DNSSEC-KEYSET compares DNSKEY RRsets as sets of RDATA: every key any server publishes must be
//   published by every server (RFC 8901 §4: each signer's ZSK in every provider's DNSKEY set). This
//   is stricter than "every key that signs", and equal to it for the multi-signer models of RFC
//   8901, where every published key is used by some provider.
// - RRSIG expiration is YYYYMMDDHHmmSS in UTC as ldns prints it (RFC 4034 §3.2).
#include <map>
#include <set>
#include <sstream>

#include "audit/rules.hpp"
#include "audit/rules/support.hpp"

namespace nswatch {

using namespace audit_detail;

namespace {

/// RRSIG expiration as a time point, or nullopt when the field is not 14 digits.
std::optional<std::chrono::system_clock::time_point> rrsig_expiration(const std::string& rdata) {
    std::istringstream in(rdata);
    std::string field;
    for (int i = 0; i < 5 && in >> field; ++i) {
    }
    if (field.size() != 14 || field.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    auto num = [&](size_t pos, size_t len) { return std::stoi(field.substr(pos, len)); };
    using namespace std::chrono;
    const year_month_day ymd{year{num(0, 4)}, month{static_cast<unsigned>(num(4, 2))},
                             day{static_cast<unsigned>(num(6, 2))}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd} + hours{num(8, 2)} + minutes{num(10, 2)} + seconds{num(12, 2)};
}

void keyset(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::map<std::string, std::set<std::string>> keys_at;  // where → DNSKEY rdata
    std::set<std::string> all;
    for (const auto& s : e.servers) {
        if (!answers_authoritatively(s.dnskey)) continue;
        keys_at[s.where()] = rdata_set(*s.dnskey, 48);
        all.insert(keys_at[s.where()].begin(), keys_at[s.where()].end());
    }
    std::vector<std::string> evidence;
    for (const auto& [where, keys] : keys_at) {
        size_t missing = 0;
        std::string example;
        for (const auto& k : all) {
            if (!keys.count(k)) {
                ++missing;
                if (example.empty()) example = k.substr(0, 40) + "...";
            }
        }
        if (missing > 0)
            evidence.push_back(where + " lacks " + std::to_string(missing) + " of " +
                               std::to_string(all.size()) + " DNSKEYs (e.g. " + example + ")");
    }
    if (evidence.empty()) return;
    out.push_back(make_finding(
        "DNSSEC-KEYSET", AuditSeverity::error,
        "Not every provider publishes every DNSKEY: validators that fetched the DNSKEY set from "
        "one provider reject signatures made by another.",
        evidence, "RFC 8901 §4; DNSViz DNSKEY_MISSING_FROM_SERVERS",
        "Import every signer's ZSK into every provider's DNSKEY RRset (multi-signer model 2)."));
}

void sig_lifetime(const AuditEvidence& e, const AuditThresholds& t,
                  std::chrono::system_clock::time_point now, std::vector<AuditFinding>& out) {
    std::vector<std::string> expired, soon;
    for (const auto& s : e.servers) {
        if (!answers_authoritatively(s.dnskey)) continue;
        for (const auto& r : s.dnskey->answer) {
            if (r.type != kTypeRrsig) continue;
            const auto exp = rrsig_expiration(r.rdata);
            if (!exp) continue;
            const auto left = std::chrono::duration_cast<std::chrono::seconds>(*exp - now);
            const auto line = s.where() + ": DNSKEY RRSIG expires in " +
                              std::to_string(left.count() / 3600) + " h";
            if (left.count() <= 0)
                expired.push_back(line);
            else if (left < t.sig_warning)
                soon.push_back(line);
        }
    }
    if (expired.empty() && soon.empty()) return;
    const bool error = !expired.empty();
    auto evidence = expired;
    evidence.insert(evidence.end(), soon.begin(), soon.end());
    out.push_back(make_finding(
        "DNSSEC-SIG-LIFETIME", error ? AuditSeverity::error : AuditSeverity::warning,
        error ? "Signatures have expired: validating resolvers return SERVFAIL."
              : "Signatures expire soon: an outage of the signer longer than that breaks the zone.",
        evidence, "Zonemaster DNSSEC04",
        "Re-sign with a validity longer than the longest signer outage you plan for."));
}

/// "a, b (c)" lines: servers that gave the same value, one line per value.
std::vector<std::string> grouped(const std::map<std::string, std::vector<std::string>>& by_value,
                                 const std::string& label) {
    std::vector<std::string> out;
    for (const auto& [value, who] : by_value) out.push_back(join(who) + " → " + label + value);
    return out;
}

/// An RDATA set in one line, each record cut to 40 characters (keys are long).
std::string short_set(const std::set<std::string>& rdata) {
    if (rdata.empty()) return "none";
    std::vector<std::string> items;
    for (const auto& r : rdata) items.push_back(r.size() > 40 ? r.substr(0, 40) + "..." : r);
    return join(items, "; ");
}

void cds(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> evidence;
    for (auto [probe, type] : {std::pair{&ServerEvidence::cds, uint16_t{59}},
                               std::pair{&ServerEvidence::cdnskey, uint16_t{60}}}) {
        std::map<std::string, std::vector<std::string>> by_set;
        for (const auto& s : e.servers) {
            const auto& r = s.*probe;
            if (!answers_authoritatively(r)) continue;  // a silent server is SRV-UDP's
            by_set[short_set(rdata_set(*r, type))].push_back(s.where());
        }
        if (by_set.size() > 1) {
            auto lines = grouped(by_set, rr_type_name(type) + " ");
            evidence.insert(evidence.end(), lines.begin(), lines.end());
        }
    }
    if (evidence.empty()) return;
    out.push_back(make_finding(
        "DNSSEC-CDS", AuditSeverity::error,
        "Servers publish different CDS/CDNSKEY RRsets: the parent may pick up whichever it asks "
        "and install a DS that breaks the other providers' answers.",
        evidence, "Zonemaster DNSSEC15; RFC 7344 §4.1; RFC 8901 §3.2",
        "Publish the same CDS and CDNSKEY RRsets at every provider (or none anywhere)."));
}

/// How a server denies existence: "NSEC", "NSEC3 <params>", or what it lacks.
std::string denial_of(const ProbeResult& r) {
    for (const auto& rec : r.answer) {
        if (rec.type == kTypeNsec3param) return "NSEC3 (NSEC3PARAM " + rec.rdata + ")";
    }
    for (const auto& rec : r.authority) {
        if (rec.type == kTypeNsec) return "NSEC";
        if (rec.type == kTypeNsec3) return "NSEC3 (no NSEC3PARAM)";
    }
    return "no NSEC/NSEC3 in its NODATA answer";
}

void denial(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::map<std::string, std::vector<std::string>> by_kind;
    for (const auto& s : e.servers) {
        if (!answers_authoritatively(s.nsec3param)) continue;
        by_kind[denial_of(*s.nsec3param)].push_back(s.where());
    }
    if (by_kind.size() <= 1) return;
    out.push_back(make_finding(
        "DNSSEC-DENIAL", AuditSeverity::warning,
        "Providers deny existence differently (NSEC vs NSEC3, or other NSEC3 parameters): a "
        "resolver mixing their answers cannot prove a name absent.",
        grouped(by_kind, ""), "RFC 8901 §6",
        "Agree on one denial method, and with NSEC3 on the same parameters, at every provider."));
}

void dnskey_size(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<std::string> evidence;
    for (const auto& s : e.servers) {
        if (!s.dnskey_udp || !server_answers_udp(s)) continue;  // a dark server is SRV-UDP's
        const auto& r = *s.dnskey_udp;
        const auto limit = r.query.edns_buffer_size;
        std::string udp;
        if (r.outcome == Outcome::ok && r.reply_size > limit)
            udp = std::to_string(r.reply_size) + " octets, above the " + std::to_string(limit) +
                  " advertised (fragments are often dropped)";
        else if (r.outcome != Outcome::ok)
            udp = describe_outcome(s.dnskey_udp) + " with a " + std::to_string(limit) +
                  "-octet buffer";
        if (udp.empty() || answers_authoritatively(s.dnskey)) continue;  // fits, or TCP works
        evidence.push_back(s.where() + ": DNSKEY over UDP " + udp + ", over TCP " +
                           describe_outcome(s.dnskey));
    }
    if (evidence.empty()) return;
    out.push_back(make_finding(
        "DNSSEC-SIZE", AuditSeverity::warning,
        "The DNSKEY answer does not fit the advertised UDP size and TCP does not work: "
        "validating resolvers cannot fetch the keys.",
        evidence, "RFC 8901 §8; RFC 7766 §5",
        "Open TCP port 53, or shrink the DNSKEY RRset (fewer keys, ECDSA instead of RSA)."));
}

}  // namespace

std::vector<AuditFinding> audit_dnssec(const AuditEvidence& e, const AuditThresholds& t,
                                       std::chrono::system_clock::time_point now) {
    std::vector<AuditFinding> out;
    keyset(e, out);
    sig_lifetime(e, t, now, out);
    cds(e, out);
    denial(e, out);
    dnskey_size(e, out);
    return out;
}

}  // namespace nswatch
