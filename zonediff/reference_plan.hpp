// Which questions a reference round asks (config `reference:`): a slice of the reference's RRsets
// sized so that every RRset is asked of every provider within `every`, one address per provider
// chosen by rotation, and a few questions whose correct answer is negative (a name that does not
// exist, a type absent at an existing name). Pure: the round number stands in for the clock, so
// the same round always gives the same plan.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "zonediff/reference_zone.hpp"

namespace nswatch {

/// One question of a round and its correct answer.
struct ReferenceQuestion {
    std::string name;  ///< lower case, trailing dot
    uint16_t type = 0;
    Expectation expected;
    /// Asked to test a negative answer (a made-up name, or a type absent at a name): its verdict
    /// is kept per provider and kind, not per name, since the next round asks another name.
    bool negative = false;
    /// The reference RRset asked (its index, ReferenceZone::rrset), or kNotAnRrset.
    uint32_t rrset = kNotAnRrset;
    static constexpr uint32_t kNotAnRrset = UINT32_MAX;
};

/// RRsets per round so that `rrsets` are all asked within `every` at one round per `interval`:
/// ceil(rrsets x interval / every), at least 1 (when there are any), at most `rrsets`.
size_t rrsets_per_round(size_t rrsets, std::chrono::milliseconds every,
                        std::chrono::milliseconds interval);

/// The questions of round `round` (0, 1, ...): RRsets [round x per_round, + per_round) modulo
/// their count (so any `every` worth of consecutive rounds covers them all), then `negatives`
/// negative questions: alternately a made-up name under an existing name (NXDOMAIN, or the
/// wildcard's expansion when the reference has one there) and a type absent at an existing name
/// (NODATA).
std::vector<ReferenceQuestion> plan_reference_round(const ReferenceZone& ref, uint64_t round,
                                                    size_t per_round, size_t negatives);
/// The same questions written over `out` (its size becomes theirs): the strings and vectors of
/// the questions already there are reused, so a zone's planning allocates nothing once warm.
void plan_reference_round(const ReferenceZone& ref, uint64_t round, size_t per_round,
                          size_t negatives, std::vector<ReferenceQuestion>& out);

/// Which of a provider's `addresses` this round asks: rotates, so each is asked in turn.
size_t address_for_round(uint64_t round, size_t addresses);

}  // namespace nswatch
