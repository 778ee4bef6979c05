// The numbers the history database stores in place of names: outcome codes, flag bits, and the
// fixed latency histogram buckets. These are part of the file format: never renumber, only append.
//
// IMPLEMENTATION NOTES
// Outcome codes are assigned by an explicit table (not static_cast) so that reordering
// nswatch::Outcome cannot silently change the meaning of rows already on disk:
//   0 ok, 1 timeout, 2 refused, 3 servfail, 4 nxdomain, 5 formerr, 6 not_authoritative,
//   7 truncated, 8 id_mismatch, 9 question_mismatch, 10 malformed, 11 network_error,
//   12 wrong_owner.
// Latency buckets: 32 buckets, upper bounds 250 us * 2^(i/2) for i = 0..30 (250 us .. 8.192 s),
// bucket 31 takes everything slower. Half-octave steps keep interpolated percentiles within about
// 20 % of the exact value, at 32 small integers per rollup row (stored as varints, mostly 1 byte).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dns/probe_result.hpp"

namespace nswatch {

inline constexpr int kOutcomeCount = 13;

/// The stored code of an outcome (see the table above).
int outcome_code(Outcome o);
/// The outcome a stored code means; nullopt for codes this build does not know.
std::optional<Outcome> outcome_from_code(int64_t code);

/// Bits of probes.flags.
enum FlagBits : int {
    kFlagAA = 1,  ///< authoritative answer
    kFlagTC = 2,  ///< truncated
    kFlagRA = 4,  ///< recursion available
    kFlagAD = 8,  ///< authenticated data
};

inline constexpr int kLatencyBuckets = 32;

/// Counts per latency bucket.
using LatencyHistogram = std::array<uint64_t, kLatencyBuckets>;

/// Upper bound of bucket i in microseconds (inclusive); the last bucket has none (returns its
/// lower).
int64_t latency_bucket_upper_us(int i);
/// Lower bound of bucket i in microseconds (exclusive); 0 for the first.
int64_t latency_bucket_lower_us(int i);
/// The bucket an RTT in microseconds falls into.
int latency_bucket(int64_t rtt_us);

/// Varint encoding of a histogram with trailing empty buckets dropped (the BLOB in rollup rows).
std::string encode_histogram(const LatencyHistogram& h);
/// Adds the counts of an encoded histogram to h. Ignores bytes past the last bucket.
void add_encoded_histogram(std::string_view blob, LatencyHistogram& h);

/// The q-quantile (0 < q <= 1) by linear interpolation inside the bucket holding rank ceil(q*n);
/// nullopt when the histogram is empty.
std::optional<int64_t> histogram_quantile_us(const LatencyHistogram& h, double q);

}  // namespace nswatch
