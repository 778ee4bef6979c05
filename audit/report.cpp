// The whole audit of one zone: every rule, the failover simulation, a score and the verdict.
#include <algorithm>

#include "audit/rules.hpp"

namespace nswatch {

std::string_view to_string(AuditSeverity s) {
    switch (s) {
        case AuditSeverity::critical:
            return "CRITICAL";
        case AuditSeverity::error:
            return "ERROR";
        case AuditSeverity::warning:
            return "WARNING";
        case AuditSeverity::notice:
            return "NOTICE";
        case AuditSeverity::info:
            return "INFO";
    }
    return "INFO";
}

std::string_view to_string(AxfrOutcome o) {
    switch (o) {
        case AxfrOutcome::not_tried:
            return "not tried";
        case AxfrOutcome::refused:
            return "refused";
        case AxfrOutcome::allowed:
            return "allowed";
        case AxfrOutcome::failed:
            return "failed";
    }
    return "failed";
}

int audit_score(const std::vector<AuditFinding>& findings,
                const std::vector<ProviderSurvival>& failover) {
    int score = 100;
    for (const auto& f : findings) {
        switch (f.severity) {
            case AuditSeverity::critical:
                score -= 40;
                break;
            case AuditSeverity::error:
                score -= 15;
                break;
            case AuditSeverity::warning:
                score -= 5;
                break;
            case AuditSeverity::notice:
                score -= 1;
                break;
            case AuditSeverity::info:
                break;
        }
    }
    for (const auto& p : failover) score -= p.survives ? 0 : 20;
    return std::max(score, 0);
}

PluginStatus audit_status(const AuditReport& r) {
    if (!r.error.empty()) return PluginStatus::unknown;
    PluginStatus s = PluginStatus::ok;
    for (const auto& f : r.findings) {
        if (f.severity == AuditSeverity::critical || f.severity == AuditSeverity::error)
            s = worst(s, PluginStatus::critical);
        else if (f.severity == AuditSeverity::warning)
            s = worst(s, PluginStatus::warning);
    }
    for (const auto& p : r.failover) {
        if (!p.survives) s = worst(s, PluginStatus::critical);
    }
    return s;
}

const std::vector<std::string>& audit_catalogue() {
    static const std::vector<std::string> ids{"DEL-MISSING",
                                              "DEL-PROVIDERS",
                                              "DEL-NSCOUNT",
                                              "DEL-DISTINCT-IP",
                                              "NET-PREFIX",
                                              "NET-ASN",
                                              "DEL-PARENT-CHILD",
                                              "DEL-NSSET-CONSISTENT",
                                              "DEL-GLUE",
                                              "DEL-NSNAME",
                                              "DEL-REFERRAL-SIZE",
                                              "DEL-BALANCE",
                                              "SRV-UDP",
                                              "SRV-TCP",
                                              "SRV-EDNS",
                                              "SRV-NSID",
                                              "SRV-AAAA",
                                              "SRV-OPEN-RECURSION",
                                              "SRV-OPEN-AXFR",
                                              "SRV-UPWARD-REFERRAL",
                                              "CONS-SERIAL",
                                              "CONS-SOA-FIELDS",
                                              "CONS-ANSWERS",
                                              "CONS-TTL",
                                              "CONS-ZONE",
                                              "ZONE-SOA",
                                              "SOA-REFRESH",
                                              "SOA-RETRY",
                                              "SOA-EXPIRE",
                                              "SOA-MINIMUM",
                                              "TTL-NS",
                                              "TTL-NS-ADDR",
                                              "TTL-CRITICAL",
                                              "DNSSEC-KEYSET",
                                              "DNSSEC-SIG-LIFETIME",
                                              "DNSSEC-DENIAL",
                                              "DNSSEC-SIZE",
                                              "DNSSEC-DS",
                                              "DNSSEC-CDS"};
    return ids;
}

AuditReport audit_zone(const AuditEvidence& e, const AuditThresholds& t,
                       std::chrono::system_clock::time_point now) {
    AuditReport r;
    r.zone = e.zone;
    r.servers = e.servers.size();
    if (e.delegation_missing.missing()) {
        // DEL-MISSING alone: every other check would judge servers no resolver can reach.
        r.findings = audit_delegation(e, t);
        r.score = audit_score(r.findings, r.failover);
        r.status = audit_status(r);
        return r;
    }
    if (!e.discovery_error.empty()) {
        r.error = e.discovery_error;
        r.status = PluginStatus::unknown;
        return r;
    }
    auto add = [&](std::vector<AuditFinding> fs) {
        r.findings.insert(r.findings.end(), std::make_move_iterator(fs.begin()),
                          std::make_move_iterator(fs.end()));
    };
    add(audit_delegation(e, t));
    add(audit_net_asn(e, t, r.skipped));
    add(audit_servers(e, t));
    add(audit_consistency(e, t, r.skipped));
    add(audit_timers(e, t));
    add(audit_dnssec(e, t, now));
    add(audit_dnssec_ds(e, r.skipped));
    std::stable_sort(r.findings.begin(), r.findings.end(), [](const auto& a, const auto& b) {
        return a.severity != b.severity ? a.severity < b.severity : a.id < b.id;
    });
    r.failover = simulate_failover(e);
    r.score = audit_score(r.findings, r.failover);
    r.status = audit_status(r);
    for (const std::string& id : audit_catalogue()) {
        const auto named = [&id](const auto& x) { return x.id == id; };
        if (std::none_of(r.findings.begin(), r.findings.end(), named) &&
            std::none_of(r.skipped.begin(), r.skipped.end(), named)) {
            r.without_findings.push_back(id);
        }
    }
    return r;
}

}  // namespace nswatch
