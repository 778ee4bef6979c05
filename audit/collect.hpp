// Evidence collection for `nswatch audit`: discovery (the same as `check`), then every probe the
// catalogue needs, for many zones at once on one ProbeEngine, plus AXFR attempts on threads.
//
// Per address of every nameserver: SOA and NS over UDP and TCP (EDNS on), SOA without EDNS
// (RFC 8906 baseline), an RD=1 query for the root NS set (open recursion), DNSKEY with DO over TCP
// (multi-signer key sets), AAAA of the apex (SRV-AAAA), an RD=0 query for the root NS set (upward
// referrals), the watched names over UDP, and an AXFR attempt. For signed zones only (some DNSKEY
// came back), a second round: DNSKEY over UDP, CDS, CDNSKEY and NSEC3PARAM, all with DO. The
// worst-case referral size (DEL-REFERRAL-SIZE) is computed from the delegation, without a query.
// Per zone: the DS RRset from the parent's server that referred us (DNSSEC-DS). When
// `audit.asn_zone` is set, before the probes: the origin ASN of every distinct nameserver address
// (NET-ASN).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "audit/evidence.hpp"
#include "config/config.hpp"
#include "delegation/root_hints.hpp"
#include "prober/engine.hpp"

namespace nswatch {

struct CollectOptions {
    bool axfr = true;                  ///< try AXFR (SRV-OPEN-AXFR, CONS-ZONE)
    std::string recursion_name = ".";  ///< asked with RD=1; outside every zone we audit
    /// Asked NS with RD=0 (Zonemaster NAMESERVER07 asks the root's NS): an authoritative server
    /// should refuse it, not refer us upward.
    std::string upward_referral_name = ".";
    int axfr_threads = 8;  ///< transfers in parallel
    /// Zones discovered in parallel, each worker with its own engine (discovery is a chain of
    /// dependent lookups per zone: run alone, 1,000 zones took ~19 s of mostly waiting).
    int discovery_threads = 8;
    size_t max_in_flight = 256;  ///< probes outstanding at once (all zones together)
    /// Progress: (steps done, steps in all); discovery is one step per zone, each probe one step.
    std::function<void(size_t, size_t)> progress;
};

/// The watched (name, type) pairs: the zone's configured ones, else apex A AAAA MX TXT and
/// www A AAAA. SOA and NS are left out: CONS-SERIAL and DEL-NSSET-CONSISTENT judge them.
std::vector<std::pair<std::string, uint16_t>> audit_watch_list(const Config& config,
                                                               const std::string& zone);

/// Collect evidence for every zone (same order as `zones`).
std::vector<AuditEvidence> collect_evidence(ProbeEngine& engine, const Config& config,
                                            const std::vector<std::string>& zones,
                                            const std::vector<RootServer>& hints,
                                            const CollectOptions& options);

}  // namespace nswatch
