// HistoryStore: the SQLite history of probe results. Raw rows, per-minute and per-hour rollups,
// retention, and the per-target report behind `nswatch status`. One connection, one thread at a
// time (the HistoryWriter's, or a short-lived CLI's); WAL lets readers and the writer overlap.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/probe_result.hpp"
#include "storage/codes.hpp"
#include "storage/sqlite.hpp"

namespace nswatch {

/// How long each tier is kept.
struct RetentionSettings {
    std::chrono::hours raw{48};          ///< raw probe rows
    std::chrono::hours minute{30 * 24};  ///< rollup_minute rows
    std::chrono::hours hour{400 * 24};   ///< rollup_hour rows
};

/// Connection settings.
struct HistoryOptions {
    std::chrono::milliseconds busy_timeout{2000};  ///< how long SQLite waits on another writer
    /// A minute is folded only this long after it ends, so that probes still in flight (RTT up to
    /// the timeout) and in the writer's queue (up to one batch interval) land in it first.
    std::chrono::seconds rollup_grace{60};
    /// False for readers (`nswatch status --db`): a mistyped path is an error, not a new file.
    bool create_if_missing = true;
};

/// The part of a ProbeResult that history keeps: one raw row.
struct HistoryRow {
    Target target;                       ///< who was probed (stored as a targets id)
    int64_t ts_ms = 0;                   ///< send time, Unix epoch milliseconds
    int qtype = 6;                       ///< RR type asked
    Outcome outcome = Outcome::timeout;  ///< how it ended
    int rcode = -1;                      ///< DNS rcode, -1 when no reply was parsed
    int64_t rtt_us = 0;                  ///< round trip (or time to giving up) in microseconds
    std::optional<uint32_t> serial;      ///< SOA serial if the answer carried one
    int flags = 0;                       ///< kFlagAA | kFlagTC | kFlagRA | kFlagAD
    uint32_t reply_size = 0;             ///< DNS message bytes

    static HistoryRow from(const ProbeResult& r);
    static HistoryRow from(ProbeResult&& r);  ///< moves the Target's strings
};

/// One target's health over a window, for `nswatch status`.
struct TargetSummary {
    Target target;        ///< zone, vantage, provider, nameserver, address, family, transport, port
    uint64_t probes = 0;  ///< probes sent in the window
    uint64_t failures = 0;  ///< probes whose outcome was not ok
    /// Probes per outcome, indexed by outcome_code.
    std::array<uint64_t, kOutcomeCount> by_outcome{};
    double availability = 0;                       ///< (probes - failures) / probes
    std::optional<std::chrono::microseconds> p50;  ///< median RTT of answered probes
    std::optional<std::chrono::microseconds> p95;  ///< 95th percentile RTT of answered probes
    std::optional<std::chrono::microseconds> p99;  ///< 99th percentile RTT of answered probes
    /// True when percentiles come from raw rows (exact), false when interpolated from rollups.
    bool latency_exact = true;
    std::optional<uint32_t> last_serial;  ///< newest serial seen in the window
    std::optional<Outcome> last_outcome;  ///< newest probe's outcome (raw rows only)
    std::optional<std::chrono::system_clock::time_point> last_ts;  ///< newest probe's send time

    uint64_t failures_of(Outcome o) const {
        return by_outcome[static_cast<size_t>(outcome_code(o))];
    }
};

class HistoryStore {
  public:
    /// Opens or creates path and brings its schema up to date. Throws StorageError (naming the
    /// file and quoting SQLite) for a file that is not a database, is damaged, or is too new.
    explicit HistoryStore(std::string path, HistoryOptions options = {});
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    /// Appends results in one transaction. On StorageError nothing of the batch is stored.
    void insert_batch(const std::vector<ProbeResult>& results);
    void insert_rows(const std::vector<HistoryRow>& rows);

    /// Folds complete minutes (ended at least rollup_grace before now) of raw rows into
    /// rollup_minute, and complete hours of those into rollup_hour. Idempotent: a fold replaces
    /// its bucket, and watermarks in rollup_state keep finished ranges from being read again.
    void rollup(std::chrono::system_clock::time_point now);

    /// Deletes rows older than their tier's retention, but never rows not yet folded into the
    /// next tier (so a stopped rollup cannot turn retention into data loss).
    void apply_retention(std::chrono::system_clock::time_point now, RetentionSettings s = {});

    /// Per target with probes sent in [since, until): counts, availability, latency percentiles,
    /// last serial/outcome. Exact from raw rows when [since, until) is still in raw retention and
    /// at most 2 h long (or `exact` asks for it: slow over days, ~1 us per raw row), else from
    /// rollups (whole buckets overlapping the window) plus the raw rows not folded yet.
    /// Sorted by zone, provider, nameserver, address, transport, vantage.
    std::vector<TargetSummary> summarize(std::chrono::system_clock::time_point since,
                                         std::chrono::system_clock::time_point until,
                                         bool exact = false);

    /// PRAGMA integrity_check's answer: "ok" or the problems it found.
    std::string integrity_check();

    const std::string& path() const;
    Database& database();

    struct Impl;  ///< internal, defined in storage/history_impl.hpp (public for storage/'s helpers)

  private:
    std::unique_ptr<Impl> impl_;
};

/// Unix epoch milliseconds of a wall-clock time point.
int64_t to_epoch_ms(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point from_epoch_ms(int64_t ms);

}  // namespace nswatch
