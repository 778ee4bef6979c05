// A zone whose delegation is gone or leads nowhere: the parent says there is no such delegation
// (NXDOMAIN, or NODATA for the zone's NS), none of the delegated NS names has an address, or every
// delegated server answers REFUSED, NXDOMAIN or without AA for the zone. Resolvers then cannot
// resolve anything in the zone: the worst outage a zone can have, so it is critical everywhere
// (alert, metric, status page, `check`, `audit`). Discovery finds the parent's side
// (delegation/discovery.hpp); the monitor adds what the probes say since
// (monitor/delegation_missing.hpp).
//
// "Could not ask" (the parent timed out, a network error, SERVFAIL) is not this: nobody said the
// delegation is gone, and `check` stays UNKNOWN for it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nswatch {

enum class MissingReason : uint8_t {
    none,                ///< the delegation is there (or it could not be asked)
    parent_nxdomain,     ///< the parent's server answered NXDOMAIN for the zone
    parent_nodata,       ///< the parent's server answered NOERROR without NS (no zone cut)
    ns_without_address,  ///< none of the delegated NS names has an address
    servers_lame,        ///< every delegated server refuses the zone or is not authoritative
};

/// "parent_nxdomain", ... (the metric's `reason` label); "none" for none.
std::string_view to_string(MissingReason r);
/// The reason named `s` (as to_string gives it); none for anything else.
MissingReason missing_reason_from_string(std::string_view s);

struct DelegationMissing {
    MissingReason reason = MissingReason::none;
    std::string detail;  ///< one sentence naming who said so (parent server, NS names, servers)

    bool missing() const { return reason != MissingReason::none; }
    bool operator==(const DelegationMissing&) const = default;
};

}  // namespace nswatch
