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

#include <cstdint>
#include <string>
#include <vector>

#include "prober/probe_result.hpp"

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

}  // namespace nswatch
