// Whether the NSEC or NSEC3 records of a negative answer prove it: for NXDOMAIN that the name
// and the wildcard that could have made it are both covered (RFC 4035 §3.1.3.2, RFC 5155 §7.2.2
// closest-encloser proof), for NODATA that the record at the name (or its NSEC3) exists without
// the type asked (RFC 4035 §3.1.3.1, RFC 5155 §7.2.3). The coverage logic is ldns's
// (ldns_dnssec_verify_denial, ldns_dnssec_verify_denial_nsec3); the signatures over those records
// are judged apart (denial_signature_gap, with dns/signature_check), against the DNSKEY set the
// same server serves. Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// NSEC3 iterations above this are not hashed: each name would cost that many SHA-1 rounds for
/// every answer of a hostile server, and RFC 9276 §3.1 asks for 0 anyway. Such proofs are left
/// unjudged (nullopt), not called broken.
inline constexpr uint16_t kMaxNsec3Iterations = 500;

/// Why the denial in `authority` does not prove that `qname` (trailing dot) has no `qtype`
/// (nxdomain: that qname does not exist), in words for an alert: "without NSEC or NSEC3",
/// "NSEC does not cover the name", "the NSEC at the name lists A", ... nullopt when it proves
/// it, or when it cannot be judged (an NSEC3 hash algorithm other than SHA-1, iterations above
/// kMaxNsec3Iterations). NSEC3 records are judged when any is present, NSEC records otherwise.
std::optional<std::string> denial_gap(const std::string& qname, uint16_t qtype, bool nxdomain,
                                      const std::vector<Record>& authority);

/// Why the NSEC or NSEC3 RRsets of `authority` (the kind denial_gap judges: NSEC3 when any is
/// present) are not all signed by a key of `dnskeys` at `now`, for an alert: "no RRSIG over NSEC3
/// abc.example.", "RRSIG over NSEC a.example. does not verify: Bogus DNSSEC signature", ...; the
/// first such RRset by owner, with "(and N more)" when there are others. nullopt when each has an
/// RRSIG that verifies, or when `dnskeys` holds no DNSKEY (a server serving the zone unsigned
/// gives nothing to check against; its missing DNSKEY set is a difference of its own).
std::optional<std::string> denial_signature_gap(const std::vector<Record>& authority,
                                                const std::vector<Record>& dnskeys,
                                                std::chrono::system_clock::time_point now);

}  // namespace nswatch
