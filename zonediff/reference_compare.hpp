// One provider's answer to a reference question against the reference's (zone_drift): the same
// RRset by meaning (names case-insensitive, TXT strings joined, order ignored, TTL only when
// asked), or the right negative answer (rcode, the zone's SOA in the authority section, and NSEC
// or NSEC3 records there that prove it when the zone is signed, signed by a key of the DNSKEY set
// the same server serves: dns/denial_proof). Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"
#include "zonediff/reference_plan.hpp"

namespace nswatch {

/// How an answer departs from the reference.
enum class DriftKind {
    differs,           ///< other records than the reference's
    missing,           ///< the reference has records; the provider has none (NODATA or NXDOMAIN)
    extra,             ///< the provider has records where the reference has none
    servfail,          ///< SERVFAIL (or another error rcode) where the reference has an answer
    wrong_rcode,       ///< e.g. NOERROR where the name does not exist
    no_soa,            ///< a negative answer without the zone's SOA in the authority section
    no_denial,         ///< a negative answer of a signed zone without NSEC/NSEC3 that prove it
    denial_signature,  ///< its NSEC/NSEC3 without an RRSIG that verifies with the server's keys
};

std::string_view to_string(DriftKind k);

/// One difference, as an alert and `status` show it.
struct Drift {
    std::string provider;
    std::string address;
    std::string name;  ///< the name asked, trailing dot
    uint16_t type = 0;
    DriftKind kind = DriftKind::differs;
    std::string expected;  ///< the reference's value ("192.0.2.80", "NXDOMAIN")
    std::string served;    ///< the provider's value

    bool operator==(const Drift&) const = default;
    /// "[beta] www.shop.test. A: reference 192.0.2.80, served 192.0.2.81"
    std::string describe() const;
};

/// The verdict on one answer.
struct ReferenceVerdict {
    /// The answer says something about the zone's content: false for timeouts, network errors,
    /// REFUSED and the like (provider_down and lame delegation cover those), which keep the
    /// previous verdict.
    bool conclusive = false;
    std::optional<Drift> drift;  ///< set when conclusive and different from the reference
};

/// Judge `got` (a probe of q.name / q.type) against `q.expected`. `dnskeys`: the apex DNSKEY
/// records the same server served in the same round; when given (and holding a DNSKEY) the
/// signatures over the NSEC/NSEC3 of a negative answer of a signed zone must verify with them at
/// got.sent_wall. Null or empty: only the denial's coverage is judged.
ReferenceVerdict judge_reference_answer(const ReferenceQuestion& q, const ProbeResult& got,
                                        const std::string& apex, bool is_signed, bool compare_ttl,
                                        const std::vector<Record>* dnskeys = nullptr);

}  // namespace nswatch
