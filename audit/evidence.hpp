// The readiness audit's inputs and outputs (docs/AUDIT-CHECKS.md): plain values only.
//
// The collector (audit/collect.cpp) probes and fills AuditEvidence; the rules (audit/rules/)
// read it and return AuditFinding values. Nothing here does I/O or reads a clock: the caller
// passes `now` where time matters (RRSIG lifetimes).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/audit_settings.hpp"
#include "delegation/delegation_missing.hpp"
#include "dns/probe_result.hpp"

namespace nswatch {

/// Zonemaster's levels, worst first.
enum class AuditSeverity { critical, error, warning, notice, info };

std::string_view to_string(AuditSeverity s);  ///< "CRITICAL", "ERROR", ...

/// One weakness, proven by evidence and paired with the fix.
struct AuditFinding {
    std::string id;  ///< catalogue id, e.g. "DEL-PROVIDERS"
    AuditSeverity severity = AuditSeverity::info;
    std::string summary;                ///< one sentence: what is wrong
    std::vector<std::string> evidence;  ///< who said what, one line per address or name
    std::string reference;              ///< RFC / Zonemaster test / post-mortem
    std::string advice;                 ///< one sentence: how to fix it

    bool operator==(const AuditFinding&) const = default;
};

/// A check that did not run, and why (e.g. CONS-ZONE when every transfer is refused).
struct AuditSkip {
    std::string id;
    std::string reason;
    bool operator==(const AuditSkip&) const = default;
};

/// What an AXFR attempt from outside got.
enum class AxfrOutcome { not_tried, refused, allowed, failed };
std::string_view to_string(AxfrOutcome o);

struct AxfrEvidence {
    AxfrOutcome outcome = AxfrOutcome::not_tried;
    std::vector<Record> records;  ///< the transferred zone (when allowed), canonical, sorted
    std::string detail;           ///< rcode or error text
};

/// One nameserver name as the parent and the zone present it.
struct NameserverEvidence {
    std::string name;                    ///< NS name, canonical, no trailing dot
    std::string provider;                ///< provider it belongs to
    std::vector<std::string> addresses;  ///< resolved addresses
    std::vector<std::string> glue;       ///< glue the parent gave (in-bailiwick names)
    bool in_parent = false;
    bool in_child = false;
    bool cname = false;  ///< the NS name is an alias
    std::string error;   ///< why it has no address
};

/// Everything probed at one address of one nameserver.
struct ServerEvidence {
    std::string nameserver;
    std::string address;
    std::string provider;
    std::optional<ProbeResult> soa_udp, soa_tcp;  ///< SOA with EDNS over UDP / over TCP
    std::optional<ProbeResult> ns_udp, ns_tcp;    ///< NS over UDP / TCP
    std::optional<ProbeResult> soa_plain;         ///< SOA without EDNS (RFC 8906 baseline)
    std::optional<ProbeResult> recursion;         ///< RD=1 query for a name outside the zone
    std::optional<ProbeResult> dnskey;            ///< DNSKEY with DO=1 (over TCP)
    std::optional<ProbeResult> aaaa;              ///< AAAA of the apex, UDP (SRV-AAAA)
    std::optional<ProbeResult> upward;            ///< RD=0 NS query for "." (SRV-UPWARD-REFERRAL)
    // SRV-EDNS's conformance probes (RFC 6891, Zonemaster NAMESERVER10/11/13), SOA over UDP:
    std::optional<ProbeResult> edns_version1;  ///< EDNS version 1: expect BADVERS, OPT version 0
    std::optional<ProbeResult> edns_unknown_option;  ///< unassigned option: ignored, not echoed
    std::optional<ProbeResult> edns_do;              ///< DO=1: answered, DO echoed (RFC 3225 §3)
    // Probed only when the zone is signed (some server's DNSKEY answer holds a key), all with DO:
    std::optional<ProbeResult> dnskey_udp;    ///< DNSKEY over UDP, no TCP retry (DNSSEC-SIZE)
    std::optional<ProbeResult> cds, cdnskey;  ///< CDS / CDNSKEY over UDP (DNSSEC-CDS)
    std::optional<ProbeResult> nsec3param;    ///< NSEC3PARAM over UDP (DNSSEC-DENIAL)
    std::vector<ProbeResult> watched;         ///< watched names/types, UDP
    AxfrEvidence axfr;

    std::string where() const { return nameserver + " (" + address + ")"; }
};

/// The largest referral the parent could have to send for the zone (DEL-REFERRAL-SIZE), built as
/// a DNS message from the parent's NS set and glue (audit/referral.cpp).
struct ReferralEstimate {
    size_t octets = 0;  ///< wire size of the message, no EDNS
    size_t ns = 0;      ///< NS records in its authority section
    size_t glue = 0;    ///< A/AAAA records in its additional section

    bool operator==(const ReferralEstimate&) const = default;
};

/// The origin ASN(s) of one nameserver address, from the IP-to-ASN TXT zone (NET-ASN).
struct AsnLookup {
    std::vector<uint32_t> asns;  ///< origin ASNs (several when the prefix is multi-origin)
    std::string prefix;          ///< the covering prefix the source names, e.g. "127.62.1.0/24"
    std::string error;           ///< why there is no ASN: no such name, timeout, bad TXT

    bool operator==(const AsnLookup&) const = default;
};

/// All evidence about one zone.
struct AuditEvidence {
    std::string zone;
    std::string discovery_error;  ///< non-empty: no delegation found (UNKNOWN)
    /// Set: the parent or the servers said the delegation is gone (DEL-MISSING, CRITICAL).
    DelegationMissing delegation_missing;
    bool from_config = false;            ///< nameservers were configured, not discovered
    std::string parent_zone;             ///< e.g. "test"
    std::vector<std::string> parent_ns;  ///< NS names at the parent, sorted
    uint32_t parent_ns_ttl = 0;          ///< TTL of the parent's NS RRset (0 = unknown)
    std::vector<std::string> child_ns;   ///< NS names the zone returns, union, sorted
    std::vector<NameserverEvidence> nameservers;
    std::vector<ServerEvidence> servers;       ///< one per address
    std::string primary;                       ///< configured primary NS name, may be empty
    std::optional<ReferralEstimate> referral;  ///< unset when the NS list came from the config
    std::string parent_server;                 ///< address of the parent server that referred us
    /// DS for the zone, asked of `parent_server` over TCP (DNSSEC-DS); unset when the NS list came
    /// from the config (no parent was asked).
    std::optional<ProbeResult> parent_ds;
    /// Nameserver address -> its origin ASN(s) (NET-ASN); empty when no ASN source is configured.
    std::map<std::string, AsnLookup> asn;
};

}  // namespace nswatch
