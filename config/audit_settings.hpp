// The audit's thresholds, as the `audit:` section sets them (CONFIGURATION.md); the audit rules
// read them (audit/rules.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace nswatch {

/// Thresholds; defaults are the catalogue's. Configurable under `audit:` (CONFIGURATION.md).
struct AuditThresholds {
    uint32_t min_expire = 604800;                              ///< SOA-EXPIRE
    uint32_t min_refresh = 14400;                              ///< SOA-REFRESH
    uint32_t min_retry = 3600;                                 ///< SOA-RETRY
    uint32_t min_minimum = 300;                                ///< SOA-MINIMUM low end
    uint32_t max_minimum = 86400;                              ///< SOA-MINIMUM high end
    uint32_t ns_ttl_error = 3600;                              ///< TTL-NS below: ERROR
    uint32_t ns_ttl_warning = 14400;                           ///< TTL-NS below: WARNING
    uint32_t critical_ttl = 900;                               ///< TTL-CRITICAL
    int min_providers = 2;                                     ///< DEL-PROVIDERS
    int min_ns_per_provider = 2;                               ///< DEL-PROVIDERS
    std::chrono::seconds sig_warning{std::chrono::hours(12)};  ///< DNSSEC-SIG-LIFETIME
    bool private_addresses_ok = true;  ///< DEL-NSNAME: lab/private addresses allowed
    bool compare_soa_fields = true;    ///< CONS-SOA-FIELDS (off for independent signers)
    /// NET-ASN: a Team Cymru-style IP-to-ASN TXT zone ("asn.example"); empty = NET-ASN skipped.
    std::string asn_zone;
    /// NET-ASN: the zone for IPv6 addresses when it differs (Team Cymru: origin6.asn.cymru.com);
    /// empty = `asn_zone` for both families.
    std::string asn_zone_ipv6;

    bool operator==(const AuditThresholds&) const = default;
};

}  // namespace nswatch
