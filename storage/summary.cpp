// summarize(): which tier answers which part of the window.
//
// When the window is short (kExactWindow) and newer than the raw retention cut-off, raw rows
// answer it alone and the percentiles are exact (nearest rank). Otherwise the window is covered
// coarse to fine: day rollups for whole days before day_done_ms, hour rollups for whole hours
// before hour_done_ms (also for a leading partial hour whose minutes are already deleted, or of a
// window of a day or more), minute rollups from there to minute_done_ms, raw rows after.
// Reading rows one by one costs about 1 us each: a day of raw rows at 1,000 targets is 1.44 M
// rows, 30 days of hours 720,000; the day tier and the coarse edges keep 30 days near 100,000.
// Rollup buckets that only overlap the window are counted whole: over days, a minute or an hour
// at the edge does not change availability or percentiles in a way `status` shows.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "storage/history.hpp"
#include "storage/history_impl.hpp"
#include "storage/tally.hpp"

namespace nswatch {

namespace {

constexpr int64_t kNone = std::numeric_limits<int64_t>::min();
constexpr int64_t kExactWindow = 2 * kHourMs;

struct TargetTally {
    Tally tally;                ///< counts and histogram over every tier
    std::vector<int64_t> rtts;  ///< answered RTTs, only when raw rows answer the whole window
};

using Tallies = std::map<int64_t, TargetTally>;  // by target_id

void add_raw(HistoryStore::Impl& d, int64_t from, int64_t to, bool keep_rtts, Tallies& out) {
    if (from >= to) return;
    Statement s = d.db.prepare(
        "SELECT ts_ms, target_id, outcome, rcode, rtt_us, serial FROM probes "
        "WHERE ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms");
    s.bind(1, from).bind(2, to);
    while (s.step()) {
        TargetTally& t = out[s.column_int(1)];
        std::optional<int64_t> serial;
        if (!s.column_is_null(5)) serial = s.column_int(5);
        int64_t rcode = s.column_int(3);
        int64_t rtt = s.column_int(4);
        t.tally.add_probe(s.column_int(0), static_cast<int>(s.column_int(2)), rcode, rtt, serial);
        if (keep_rtts && rcode >= 0) t.rtts.push_back(rtt);
    }
}

void add_rollups(HistoryStore::Impl& d, std::string_view table, int64_t from, int64_t to,
                 Tallies& out) {
    if (from >= to) return;
    std::string sql = "SELECT target_id, ";
    sql += kRollupColumns;
    sql += " FROM ";
    sql += table;
    sql += " WHERE bucket_ms >= ? AND bucket_ms < ? ORDER BY bucket_ms";
    Statement s = d.db.prepare(sql);
    s.bind(1, from).bind(2, to);
    while (s.step()) out[s.column_int(0)].tally.add_rollup(s, 1);
}

// Whole hours [from, to), answered by whole days where the day tier has them.
void add_hours_and_days(HistoryStore::Impl& d, int64_t from, int64_t to, int64_t day_done,
                        Tallies& out) {
    const int64_t d0 = ceil_to(from, kDayMs);
    const int64_t d1 = std::min(floor_to(to, kDayMs), day_done);
    if (d1 <= d0) {
        add_rollups(d, "rollup_hour", from, to, out);
        return;
    }
    add_rollups(d, "rollup_hour", from, d0, out);
    add_rollups(d, "rollup_day", d0, d1, out);
    add_rollups(d, "rollup_hour", d1, to, out);
}

// Nearest rank: the smallest value with at least q of the values at or below it.
std::chrono::microseconds exact_quantile(const std::vector<int64_t>& sorted, double q) {
    auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    rank = std::clamp<size_t>(rank, 1, sorted.size());
    return std::chrono::microseconds(sorted[rank - 1]);
}

Target load_target(HistoryStore::Impl& d, Statement& s, int64_t id) {
    s.bind(1, id);
    Target t;
    if (s.step()) {
        t.zone = s.column_text(0);
        t.vantage = s.column_text(1);
        t.nameserver = s.column_text(2);
        t.address = s.column_text(3);
        t.family = s.column_int(4) == 6 ? Family::ipv6 : Family::ipv4;
        t.provider = s.column_text(5);
        t.transport = s.column_int(6) == 1 ? Transport::tcp : Transport::udp;
        t.port = static_cast<uint16_t>(s.column_int(7));
    }
    s.reset();
    (void)d;
    return t;
}

TargetSummary summarize_one(Target target, TargetTally& t, bool exact) {
    TargetSummary out;
    out.target = std::move(target);
    const Tally& tally = t.tally;
    out.probes = tally.count;
    out.failures = tally.failures();
    out.by_outcome = tally.by_outcome;
    out.availability = tally.count == 0 ? 0.0
                                        : static_cast<double>(tally.count - tally.failures()) /
                                              static_cast<double>(tally.count);
    out.latency_exact = exact;
    if (exact && !t.rtts.empty()) {
        std::sort(t.rtts.begin(), t.rtts.end());
        out.p50 = exact_quantile(t.rtts, 0.50);
        out.p95 = exact_quantile(t.rtts, 0.95);
        out.p99 = exact_quantile(t.rtts, 0.99);
    } else if (!exact) {
        auto q = [&](double p) -> std::optional<std::chrono::microseconds> {
            if (auto us = histogram_quantile_us(tally.latency, p)) {
                return std::chrono::microseconds(*us);
            }
            return std::nullopt;
        };
        out.p50 = q(0.50);
        out.p95 = q(0.95);
        out.p99 = q(0.99);
    }
    if (tally.serial_last) out.last_serial = static_cast<uint32_t>(*tally.serial_last);
    if (tally.last_outcome) out.last_outcome = outcome_from_code(*tally.last_outcome);
    if (tally.count > 0) out.last_ts = from_epoch_ms(tally.last_ts_ms);
    return out;
}

}  // namespace

std::vector<TargetSummary> HistoryStore::summarize(std::chrono::system_clock::time_point since,
                                                   std::chrono::system_clock::time_point until,
                                                   bool force_exact) {
    Impl& d = *impl_;
    const int64_t from = to_epoch_ms(since);
    const int64_t to = to_epoch_ms(until);
    Tallies tallies;

    // A read transaction: one consistent snapshot even while the writer commits.
    d.db.exec("BEGIN");
    struct EndRead {
        Database& db;
        ~EndRead() { sqlite3_exec(db.handle(), "COMMIT", nullptr, nullptr, nullptr); }
    } end_read{d.db};

    const int64_t raw_low = d.state("raw_low_ms").value_or(kNone);
    const bool exact = from >= raw_low && (force_exact || to - from <= kExactWindow);
    if (exact) {
        add_raw(d, from, to, true, tallies);
    } else {
        const int64_t minute_done = d.state("minute_done_ms").value_or(kNone);
        const int64_t hour_done = d.state("hour_done_ms").value_or(kNone);
        const int64_t minute_low = d.state("minute_low_ms").value_or(kNone);
        const int64_t day_done = d.state("day_done_ms").value_or(kNone);
        int64_t t = from;
        // Minutes at the window start are gone: the hour holding it must answer for them.
        const bool start_in_hours = from < minute_low;
        // Over a day or more, a leading partial hour counted whole changes nothing `status`
        // shows, and saves reading up to an hour of minute rows per target.
        const bool lead_whole = start_in_hours || to - from >= kDayMs;
        const int64_t h0 = lead_whole ? floor_to(from, kHourMs) : ceil_to(from, kHourMs);
        const int64_t h1 =
            std::min(start_in_hours ? ceil_to(to, kHourMs) : floor_to(to, kHourMs), hour_done);
        if (h1 > h0) {
            if (!lead_whole) add_rollups(d, "rollup_minute", floor_to(t, kMinuteMs), h0, tallies);
            add_hours_and_days(d, h0, h1, day_done, tallies);
            t = std::max(t, h1);
        }
        const int64_t m1 = std::min(to, minute_done);
        if (m1 > t) {
            add_rollups(d, "rollup_minute", floor_to(t, kMinuteMs), m1, tallies);
            t = std::max(t, minute_done);
        }
        add_raw(d, t, to, false, tallies);
    }

    Statement lookup = d.db.prepare(
        "SELECT z.name, v.name, t.nameserver, t.address, t.family, t.provider, t.transport, "
        "t.port FROM targets t JOIN zones z ON z.id = t.zone_id "
        "JOIN vantages v ON v.id = t.vantage_id WHERE t.id = ?");
    std::vector<TargetSummary> out;
    out.reserve(tallies.size());
    for (auto& [id, tally] : tallies) {
        if (tally.tally.count == 0) continue;
        out.push_back(summarize_one(load_target(d, lookup, id), tally, exact));
    }
    auto key = [](const TargetSummary& s) {
        const Target& t = s.target;
        return std::tie(t.zone, t.provider, t.nameserver, t.address, t.transport, t.vantage,
                        t.port);
    };
    std::sort(out.begin(), out.end(),
              [&](const TargetSummary& a, const TargetSummary& b) { return key(a) < key(b); });
    return out;
}

}  // namespace nswatch
