// The readiness-audit rules (docs/AUDIT-CHECKS.md): pure functions from AuditEvidence to findings.
// One function per catalogue section; audit_zone() runs them all, the failover simulation, and
// scores the result. No I/O, no clock: `now` is a parameter.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "audit/evidence.hpp"
#include "monitor/check_verdict.hpp"

namespace nswatch {

/// A. Delegation and provider diversity: DEL-NSCOUNT, DEL-PROVIDERS, DEL-BALANCE,
/// DEL-PARENT-CHILD, DEL-NSSET-CONSISTENT, DEL-DISTINCT-IP, NET-PREFIX, DEL-GLUE, DEL-NSNAME,
/// DEL-REFERRAL-SIZE.
std::vector<AuditFinding> audit_delegation(const AuditEvidence& e, const AuditThresholds& t);

/// NET-ASN: the delegated nameservers' origin ASNs (e.asn) per address family. Skipped, with a
/// note, when no ASN source is configured (t.asn_zone) or a delegated address has no ASN.
std::vector<AuditFinding> audit_net_asn(const AuditEvidence& e, const AuditThresholds& t,
                                        std::vector<AuditSkip>& skipped);

/// B. Each server: SRV-UDP, SRV-TCP, SRV-EDNS, SRV-OPEN-RECURSION, SRV-OPEN-AXFR, SRV-AAAA,
/// SRV-UPWARD-REFERRAL, SRV-NSID (INFO, only when some address returns an NSID).
std::vector<AuditFinding> audit_servers(const AuditEvidence& e, const AuditThresholds& t);

/// C. Consistency: CONS-SERIAL, CONS-SOA-FIELDS, CONS-ANSWERS (+ CONS-TTL), CONS-ZONE.
/// CONS-ZONE needs two transfers; when fewer succeed it lands in `skipped`.
std::vector<AuditFinding> audit_consistency(const AuditEvidence& e, const AuditThresholds& t,
                                            std::vector<AuditSkip>& skipped);

/// D and E. SOA timers and TTLs: SOA-EXPIRE, SOA-REFRESH, SOA-RETRY, SOA-MINIMUM, ZONE-SOA,
/// TTL-NS, TTL-NS-ADDR, TTL-CRITICAL.
std::vector<AuditFinding> audit_timers(const AuditEvidence& e, const AuditThresholds& t);

/// F. DNSSEC across providers, when any server returns a DNSKEY: DNSSEC-KEYSET,
/// DNSSEC-SIG-LIFETIME, DNSSEC-CDS, DNSSEC-DENIAL, DNSSEC-SIZE.
std::vector<AuditFinding> audit_dnssec(const AuditEvidence& e, const AuditThresholds& t,
                                       std::chrono::system_clock::time_point now);

/// DNSSEC-DS: for every provider, a DS in the parent's set (e.parent_ds) matches a DNSKEY it
/// publishes and that key signs its DNSKEY RRset. A signed zone without DS at the parent, or a
/// parent that did not answer, lands in `skipped`; an unsigned zone without DS is not mentioned.
std::vector<AuditFinding> audit_dnssec_ds(const AuditEvidence& e, std::vector<AuditSkip>& skipped);

/// G. Failover: what remains when one provider goes dark.
struct ProviderSurvival {
    std::string provider;
    bool survives = false;
    std::vector<std::string> reasons;  ///< why not (empty when it survives)
    bool operator==(const ProviderSurvival&) const = default;
};

/// For each provider P: drop P's addresses and re-run SRV-UDP, SRV-TCP, CONS-SERIAL,
/// CONS-ANSWERS and DNSSEC-KEYSET on the rest. Servers not in the parent's delegation do not count
/// (resolvers never ask them).
std::vector<ProviderSurvival> simulate_failover(const AuditEvidence& e);

/// The whole audit of one zone.
struct AuditReport {
    std::string zone;
    std::vector<AuditFinding> findings;  ///< worst first, then by id
    std::vector<AuditSkip> skipped;
    std::vector<ProviderSurvival> failover;
    int score = 0;                           ///< 100 = nothing found; see audit_score()
    PluginStatus status = PluginStatus::ok;  ///< exit-code verdict
    std::string error;                       ///< discovery failed (status UNKNOWN)
    size_t servers = 0;                      ///< addresses probed
    /// Checks of the catalogue that ran and found nothing (empty when the audit stopped early:
    /// a missing delegation or a discovery that failed).
    std::vector<std::string> without_findings;
};

/// Every check id of the catalogue (docs/AUDIT-CHECKS.md), in its order.
const std::vector<std::string>& audit_catalogue();

/// 100 minus 40 per CRITICAL, 15 per ERROR, 5 per WARNING, 1 per NOTICE, 20 per provider whose
/// loss the zone does not survive; never below 0.
int audit_score(const std::vector<AuditFinding>& findings,
                const std::vector<ProviderSurvival>& failover);

/// CRITICAL/ERROR findings or a provider whose loss is fatal → CRITICAL; WARNING → WARNING;
/// NOTICE/INFO → OK; no delegation → UNKNOWN.
PluginStatus audit_status(const AuditReport& r);

AuditReport audit_zone(const AuditEvidence& e, const AuditThresholds& t,
                       std::chrono::system_clock::time_point now);

/// Helpers shared by the rules (exposed for tests).
bool answers_authoritatively(const std::optional<ProbeResult>& r);
std::string describe_outcome(const std::optional<ProbeResult>& r);

}  // namespace nswatch
