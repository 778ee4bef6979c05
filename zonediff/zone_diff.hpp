// Record-level difference between two copies of a zone (from AXFR): which RRsets one copy has and
// the other lacks, and which differ. Pure; the copies come in canonical form (prober/axfr.hpp).
//
// IMPLEMENTATION NOTES
// - Both copies are sorted once into (owner, type, rdata) order and then walked side by side, one
//   RRset at a time, so the comparison itself needs no extra memory: two 100,000-record copies are
//   compared in one pass.
// - The apex SOA is left out of the comparison: a secondary one serial behind differs there by
//   design; the serials are reported apart.
// - A TTL difference alone makes an RRset "changed" (it is a real difference in what resolvers
//   cache), and is said so.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

struct RRsetDifference {
    enum class Kind { added, removed, changed };
    Kind kind = Kind::changed;           ///< added: only in the other copy; removed: only in ours
    std::string owner;                   ///< owner name, lower case, trailing dot
    uint16_t type = 0;                   ///< RR type number
    std::vector<Record> only_reference;  ///< records (with TTL) only in the reference copy
    std::vector<Record> only_other;      ///< records (with TTL) only in the other copy

    bool operator==(const RRsetDifference&) const = default;
};

std::string to_string(RRsetDifference::Kind k);

/// Sort a copy into the order diff_sorted expects (owner, type, rdata, ttl) and drop exact
/// duplicates.
void sort_for_diff(std::vector<Record>& records);

/// The differing RRsets between `reference` and `other`, both sorted by sort_for_diff, in order.
/// SOA records are skipped.
std::vector<RRsetDifference> diff_sorted(const std::vector<Record>& reference,
                                         const std::vector<Record>& other);

/// The daemon's scheduled diff: one provider's copy of a zone against the reference provider's.
struct ZoneDiffPair {
    std::string provider_a;                    ///< the reference provider (first in config order)
    std::string provider_b;                    ///< the provider compared with it
    std::optional<uint32_t> serial_a;          ///< provider_a's SOA serial in the compared copy
    std::optional<uint32_t> serial_b;          ///< provider_b's SOA serial in the compared copy
    bool compared = false;                     ///< a comparison succeeded (this run or before)
    size_t rrsets = 0;                         ///< differing RRsets, all of them
    size_t records = 0;                        ///< differing records (either side), all of them
    std::vector<RRsetDifference> differences;  ///< the first kKeptDifferences differing RRsets
    std::string error;  ///< why this run's transfer failed ("" = it worked); the comparison
                        ///< fields then are the previous run's (compared says if there was one)

    bool operator==(const ZoneDiffPair&) const = default;
};

/// A zone's newest scheduled diff: every provider with transfer settings against the first.
struct ZoneDiffResult {
    std::string zone;  ///< zone name as in the config (no trailing dot)
    std::chrono::system_clock::time_point finished;  ///< when the run ended
    std::vector<ZoneDiffPair> pairs;                 ///< in config order of provider_b

    bool operator==(const ZoneDiffResult&) const = default;
};

/// Differing RRsets kept per pair: enough to name the records, bounded for a wholly different copy.
inline constexpr size_t kKeptDifferences = 20;

/// A pair's result from a successful comparison (`diffs` from diff_sorted), keeping the first
/// kKeptDifferences RRsets and counting all.
ZoneDiffPair compared_pair(std::string provider_a, std::optional<uint32_t> serial_a,
                           std::string provider_b, std::optional<uint32_t> serial_b,
                           std::vector<RRsetDifference> diffs);

/// A pair whose transfer failed with `error`: the previous comparison of the same providers (from
/// `previous`, the zone's last result, if any) is kept so a transient failure neither resolves
/// nor re-fires a mismatch.
ZoneDiffPair failed_pair(std::string provider_a, std::string provider_b, std::string error,
                         const ZoneDiffResult* previous);

}  // namespace nswatch
