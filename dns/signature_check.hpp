// Validating one RRset of an answer with a DNSKEY set (ldns), the way a resolver that got both
// from the same server would: no chain of trust, only "do these signatures verify with these
// keys at `now`". Pure: records and a time in, findings out.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// Why an RRset does not validate.
enum class SignatureFault {
    missing_rrsig,  ///< DNSKEYs are served, but the RRset comes without an RRSIG
    unknown_key,    ///< its RRSIGs name keys the server's own DNSKEY set does not hold
    bogus,          ///< an RRSIG names a key of the set but does not verify
    expired,        ///< the signature verifies but is outside its validity period at `now`
};

std::string_view to_string(SignatureFault f);

/// What one RRset's signatures say.
struct SignatureVerdict {
    std::optional<SignatureFault> fault;  ///< none: some RRSIG verifies at `now`
    std::string key;                      ///< "tag/alg" of the RRSIG judged (empty if none)
    /// ldns's words for why the RRSIG judged fails ("Bogus DNSSEC signature"); empty without a
    /// fault or for missing_rrsig.
    std::string reason;
    /// When the validating signatures run out (the latest expiration among those that verify);
    /// none when nothing verifies.
    std::optional<std::chrono::system_clock::time_point> expires;

    bool operator==(const SignatureVerdict&) const = default;
};

/// Validate the RRset (owner, type) of `answer` (records as Record keeps them, RRSIGs among them)
/// with the DNSKEY records `dnskeys`. nullopt when the answer holds no such RRset (NODATA: its
/// denial is not checked). One verifying RRSIG is enough (RFC 4035 §5.3.3); otherwise the fault
/// is the most telling among its RRSIGs: bogus over expired over unknown_key.
std::optional<SignatureVerdict> check_rrset_signatures(const std::string& owner, uint16_t type,
                                                       const std::vector<Record>& answer,
                                                       const std::vector<Record>& dnskeys,
                                                       std::chrono::system_clock::time_point now);

}  // namespace nswatch
