// Tally: what a rollup row holds (counts by outcome, latency histogram, serials), built either from
// raw probe rows or by adding rollup rows together. Shared by rollup() and summarize().
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>

#include "storage/codes.hpp"
#include "storage/sqlite.hpp"

namespace nswatch {

/// The column list of a rollup row after (bucket_ms, target_id), in the order Tally reads/binds.
inline constexpr std::string_view kRollupColumns =
    "count, failures, n_ok, n_timeout, n_refused, n_servfail, n_nxdomain, n_formerr, "
    "n_not_authoritative, n_truncated, n_id_mismatch, n_question_mismatch, n_malformed, "
    "n_network_error, latency, serial_min, serial_max, serial_last, last_ts_ms, n_wrong_owner";
inline constexpr int kRollupColumnCount = 20;

struct Tally {
    uint64_t count = 0;                                ///< probes
    std::array<uint64_t, kOutcomeCount> by_outcome{};  ///< probes per outcome code
    LatencyHistogram latency{};          ///< answered probes (rcode >= 0) by RTT bucket
    std::optional<int64_t> serial_min;   ///< smallest serial seen (numeric, not RFC 1982)
    std::optional<int64_t> serial_max;   ///< largest serial seen (numeric, not RFC 1982)
    std::optional<int64_t> serial_last;  ///< serial of the newest probe that had one
    int64_t last_ts_ms = std::numeric_limits<int64_t>::min();  ///< newest probe's send time
    std::optional<int> last_outcome;  ///< newest probe's outcome code; unknown from rollups

    uint64_t failures() const { return count - by_outcome[0]; }

    /// One raw probe row; rows must come in ts order for the "last" fields to be right.
    void add_probe(int64_t ts_ms, int outcome, int64_t rcode, int64_t rtt_us,
                   std::optional<int64_t> serial);
    /// One rollup row whose kRollupColumns start at column first; rows in bucket order.
    void add_rollup(const Statement& s, int first);
    /// Binds kRollupColumns to parameters first .. first + kRollupColumnCount - 1.
    void bind_rollup(Statement& s, int first) const;
};

}  // namespace nswatch
