// C. Consistency across providers (docs/AUDIT-CHECKS.md section C).
#include <algorithm>
#include <map>
#include <set>

#include "audit/rules.hpp"
#include "audit/rules/support.hpp"
#include "dns/serial.hpp"

namespace nswatch {

using namespace audit_detail;

namespace {

void serials(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    std::vector<uint32_t> all, primary;
    for (const auto& s : e.servers) {
        if (const auto* soa = soa_of(s)) {
            all.push_back(soa->serial);
            if (!e.primary.empty() && s.nameserver == e.primary) primary.push_back(soa->serial);
        }
    }
    if (all.size() < 2) return;
    std::vector<std::string> evidence;
    for (const auto& s : e.servers) {
        if (const auto* soa = soa_of(s))
            evidence.push_back(s.where() + " serves serial " + std::to_string(soa->serial));
    }
    const auto newest = newest_serial(all);
    if (!newest) {
        out.push_back(make_finding(
            "CONS-SERIAL", AuditSeverity::error,
            "The serials cannot be ordered (RFC 1982: some are 2^31 apart or spread over half "
            "the number space).",
            evidence, "RFC 1982 §3.2; Zonemaster CONSISTENCY01",
            "Bump the primary's serial past every secondary's so they can all follow."));
        return;
    }
    const auto reference = primary.empty() ? newest : newest_serial(primary);
    std::vector<std::string> behind, ahead;
    for (const auto& s : e.servers) {
        const auto* soa = soa_of(s);
        if (!soa || !reference) continue;
        const auto order = compare_serials(soa->serial, *reference);
        if (order == SerialOrder::less)
            behind.push_back(s.where() + " serves " + std::to_string(soa->serial) + ", " +
                             std::to_string(*serial_distance(soa->serial, *reference)) +
                             " behind " + std::to_string(*reference));
        else if (order == SerialOrder::greater || order == SerialOrder::undefined)
            ahead.push_back(s.where() + " serves " + std::to_string(soa->serial) +
                            ", ahead of the primary's " + std::to_string(*reference));
    }
    if (!ahead.empty()) {
        out.push_back(make_finding(
            "CONS-SERIAL", AuditSeverity::error,
            "A server is ahead of the primary: it serves data the primary does not have.", ahead,
            "RFC 1982 §3.2; Zonemaster CONSISTENCY01",
            "Find who changed that server's copy; re-transfer it from the primary."));
    } else if (!behind.empty()) {
        out.push_back(make_finding(
            "CONS-SERIAL", AuditSeverity::warning,
            "Some servers serve an older serial than the newest: their provider is not "
            "following the primary.",
            behind, "RFC 1982 §3.2; Zonemaster CONSISTENCY01",
            "Check NOTIFY and transfer (ACLs, TSIG, firewalls) from the primary to the lagging "
            "provider."));
    }
}

void soa_fields(const AuditEvidence& e, const AuditThresholds& t, std::vector<AuditFinding>& out) {
    if (!t.compare_soa_fields) return;
    // Everything but the serial (CONS-SERIAL) and the TTL.
    std::map<std::string, std::vector<std::string>> variants;
    for (const auto& s : e.servers) {
        const auto* soa = soa_of(s);
        if (!soa) continue;
        const auto key = soa->mname + " " + soa->rname + " " + std::to_string(soa->refresh) + " " +
                         std::to_string(soa->retry) + " " + std::to_string(soa->expire) + " " +
                         std::to_string(soa->minimum);
        variants[key].push_back(s.where());
    }
    if (variants.size() <= 1) return;
    std::vector<std::string> evidence;
    for (const auto& [k, who] : variants) evidence.push_back(join(who) + " → SOA " + k);
    out.push_back(make_finding(
        "CONS-SOA-FIELDS", AuditSeverity::notice,
        "SOA MNAME, RNAME or timers differ between servers.", evidence,
        "Zonemaster CONSISTENCY02, CONSISTENCY03, CONSISTENCY06",
        "Unless independent signers differ on purpose, serve one SOA from every provider."));
}

void answers(const AuditEvidence& e, std::vector<AuditFinding>& out) {
    // (owner, type) → rdata set → servers; and (owner, type) → ttl → servers.
    std::map<std::pair<std::string, uint16_t>,
             std::map<std::set<std::string>, std::vector<std::string>>>
        sets;
    std::map<std::pair<std::string, uint16_t>, std::map<uint32_t, std::vector<std::string>>> ttls;
    for (const auto& s : e.servers) {
        for (const auto& r : s.watched) {
            // Only replies count: a timeout says nothing about the data (SRV-UDP reports it).
            if (!r.answered() || (r.rcode != 0 && r.rcode != 3) || !r.aa) continue;
            const auto key = std::make_pair(r.query.name, r.query.type);
            auto rd = rdata_set(r, r.query.type);
            if (r.rcode == 3) rd = {"NXDOMAIN"};
            sets[key][rd].push_back(s.where());
            for (const auto& rec : r.answer) {
                if (rec.type == r.query.type) {
                    ttls[key][rec.ttl].push_back(s.where());
                    break;
                }
            }
        }
    }
    std::vector<std::string> evidence, ttl_evidence;
    for (const auto& [key, variants] : sets) {
        if (variants.size() <= 1) continue;
        for (const auto& [rd, who] : variants) {
            std::vector<std::string> v(rd.begin(), rd.end());
            evidence.push_back(key.first + " " + rr_type_name(key.second) + " from " + join(who) +
                               " → " + (v.empty() ? "(no records)" : join(v, " | ")));
        }
    }
    for (const auto& [key, variants] : ttls) {
        if (variants.size() <= 1) continue;
        for (const auto& [ttl, who] : variants)
            ttl_evidence.push_back(key.first + " " + rr_type_name(key.second) + " TTL " +
                                   std::to_string(ttl) + " from " + join(who));
    }
    if (!evidence.empty())
        out.push_back(make_finding(
            "CONS-ANSWERS", AuditSeverity::error,
            "Providers give different answers for the same name: users get different results "
            "depending on which server their resolver asks.",
            evidence, "RFC 8901 §2",
            "Make every provider serve the same data (one source of truth, transferred or "
            "synchronised)."));
    if (!ttl_evidence.empty())
        out.push_back(make_finding("CONS-TTL", AuditSeverity::notice,
                                   "The same RRset has different TTLs at different servers.",
                                   ttl_evidence, "RFC 2181 §5.2",
                                   "Serve the same TTLs from every provider."));
}

void zone_content(const AuditEvidence& e, std::vector<AuditFinding>& out,
                  std::vector<AuditSkip>& skipped) {
    std::vector<const ServerEvidence*> transferred;
    for (const auto& s : e.servers) {
        if (s.axfr.outcome == AxfrOutcome::allowed) transferred.push_back(&s);
    }
    if (transferred.size() < 2) {
        skipped.push_back({"CONS-ZONE", "needs a zone transfer from two servers; " +
                                            std::to_string(transferred.size()) + " of " +
                                            std::to_string(e.servers.size()) +
                                            " allowed AXFR (refused is the safe setting)"});
        return;
    }
    // Compare everything but TTLs against the first transfer.
    auto strip = [](std::vector<Record> rs) {
        for (auto& r : rs) r.ttl = 0;
        std::sort(rs.begin(), rs.end());
        return rs;
    };
    const auto base = strip(transferred.front()->axfr.records);
    std::vector<std::string> evidence;
    for (size_t i = 1; i < transferred.size(); ++i) {
        const auto other = strip(transferred[i]->axfr.records);
        std::vector<Record> only_base, only_other;
        std::set_difference(base.begin(), base.end(), other.begin(), other.end(),
                            std::back_inserter(only_base));
        std::set_difference(other.begin(), other.end(), base.begin(), base.end(),
                            std::back_inserter(only_other));
        // The SOA differs whenever the serial does: CONS-SERIAL covers that.
        auto not_soa = [](const Record& r) { return r.type != kTypeSoa; };
        const auto nb = std::count_if(only_base.begin(), only_base.end(), not_soa);
        const auto no = std::count_if(only_other.begin(), only_other.end(), not_soa);
        if (nb + no > 0)
            evidence.push_back(transferred[i]->where() + " vs " + transferred.front()->where() +
                               ": " + std::to_string(no) + " records only there, " +
                               std::to_string(nb) + " missing");
    }
    if (evidence.empty()) return;
    out.push_back(make_finding(
        "CONS-ZONE", AuditSeverity::error, "Zone transfers from different servers differ.",
        evidence, "RFC 8901 §2", "Re-synchronise the providers from one source of truth."));
}

}  // namespace

std::vector<AuditFinding> audit_consistency(const AuditEvidence& e, const AuditThresholds& t,
                                            std::vector<AuditSkip>& skipped) {
    std::vector<AuditFinding> out;
    serials(e, out);
    soa_fields(e, t, out);
    answers(e, out);
    zone_content(e, out, skipped);
    return out;
}

}  // namespace nswatch
