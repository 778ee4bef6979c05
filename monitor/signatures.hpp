// Per provider, the zone's signed answers validated with the DNSKEY set that provider serves
// (dns/signature_check.hpp): each address's answers of one round (the apex SOA of the serial
// round, the watched names and the apex DNSKEY set itself) checked with the DNSKEY set the same
// address gave in that round. Pure: results and a `now` in, findings out.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"
#include "dns/signature_check.hpp"

namespace nswatch {

/// One RRset one address serves that does not validate.
struct SignatureProblem {
    std::string nameserver;
    std::string address;
    std::string rrset;  ///< "shop.test. SOA"
    SignatureFault fault = SignatureFault::bogus;
    std::string key;  ///< "tag/alg" of the RRSIG judged; empty for missing_rrsig

    bool operator==(const SignatureProblem&) const = default;
};

/// What one provider's signatures say, over its addresses.
struct ProviderSignatures {
    std::string provider;
    std::string vantage;
    size_t rrsets = 0;                       ///< RRsets checked (address x RRset)
    std::vector<SignatureProblem> problems;  ///< sorted, unique
    /// The earliest time one of its validating RRsets stops validating (the latest expiration
    /// among the RRSIGs that verify, earliest over RRsets); none when none validates.
    std::optional<std::chrono::system_clock::time_point> expires;

    bool operator==(const ProviderSignatures&) const = default;
};

/// "ns1.beta-dns.test [127.53.2.1]: shop.test. SOA RRSIG by 12345/13 does not verify (bogus)".
std::string describe(const SignatureProblem& p);

/// Check the answers of one round of `zone` ("shop.test", no trailing dot needed): `serial` the
/// serial round's results (apex SOA, any transports), `watched` the watched names' (with the apex
/// DNSKEY set under probe.dnssec_ok). An address is judged only when it answered the apex
/// DNSKEY question in these results; one serving no DNSKEY and no RRSIG is unsigned and skipped.
/// Providers sorted by name, then vantage; a provider none of whose addresses was judged is left
/// out.
std::vector<ProviderSignatures> check_provider_signatures(
    const std::string& zone, const std::vector<ProbeResult>& serial,
    const std::vector<ProbeResult>& watched, std::chrono::system_clock::time_point now);

}  // namespace nswatch
