// Whether a watched zone's delegation is missing now (delegation/delegation_missing.hpp says what
// that means), from the monitor's state of the zone.
#pragma once

#include "delegation/delegation_missing.hpp"
#include "monitor/zone_state.hpp"

namespace nswatch {

/// Whether the zone's delegation is missing now, from the last discovery and the newest probes:
/// - what discovery found about the parent and the NS names stands until the next discovery;
/// - "every server lame" found by discovery ends at the first authoritative answer since then;
/// - every target's newest probe lame (REFUSED, NXDOMAIN, not authoritative) is "every server
///   lame" without waiting for a discovery.
DelegationMissing delegation_missing(const ZoneState& zone);

}  // namespace nswatch
