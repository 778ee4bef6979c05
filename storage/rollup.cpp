// Rollup and retention. Watermarks in rollup_state:
//   minute_done_ms  raw rows before this are folded into rollup_minute
//   hour_done_ms    rollup_minute rows before this are folded into rollup_hour
//   day_done_ms     rollup_hour rows before this are folded into rollup_day (UTC days)
//   raw_low_ms, minute_low_ms, hour_low_ms  retention cut-offs applied so far (rows before are
//   gone)
#include <algorithm>
#include <map>
#include <utility>

#include "storage/history.hpp"
#include "storage/history_impl.hpp"
#include "storage/tally.hpp"

namespace nswatch {

namespace {

// Large backlogs (first rollup after days of downtime) are folded a slice per transaction, so the
// writer never holds the write lock for long.
constexpr int64_t kMinuteSliceMs = kHourMs;
constexpr int64_t kHourSliceMs = 24 * kHourMs;
constexpr int64_t kDaySliceMs = 7 * kDayMs;

using Buckets = std::map<std::pair<int64_t, int64_t>, Tally>;  // (bucket_ms, target_id)

void write_buckets(Database& db, std::string_view table, const Buckets& buckets) {
    std::string sql = "INSERT OR REPLACE INTO ";
    sql += table;
    sql += " (bucket_ms, target_id, ";
    sql += kRollupColumns;
    sql += ") VALUES (?, ?";
    for (int i = 0; i < kRollupColumnCount; ++i) sql += ", ?";
    sql += ")";
    Statement insert = db.prepare(sql);
    for (const auto& [key, tally] : buckets) {
        insert.bind(1, key.first).bind(2, key.second);
        tally.bind_rollup(insert, 3);
        insert.run();
    }
}

void fold_minutes(HistoryStore::Impl& d, int64_t from, int64_t to) {
    Buckets buckets;
    Statement s = d.db.prepare(
        "SELECT ts_ms, target_id, outcome, rcode, rtt_us, serial FROM probes "
        "WHERE ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms");
    s.bind(1, from).bind(2, to);
    while (s.step()) {
        int64_t ts = s.column_int(0);
        Tally& t = buckets[{floor_to(ts, kMinuteMs), s.column_int(1)}];
        std::optional<int64_t> serial;
        if (!s.column_is_null(5)) serial = s.column_int(5);
        t.add_probe(ts, static_cast<int>(s.column_int(2)), s.column_int(3), s.column_int(4),
                    serial);
    }
    write_buckets(d.db, "rollup_minute", buckets);
}

/// Fold the rows of rollup table `from_table` in [from, to) into `to_table`'s buckets of
/// `bucket_ms` (minutes into hours, hours into UTC days): one rule for every tier above the raw
/// probes.
void fold_tier(HistoryStore::Impl& d, const char* from_table, const char* to_table,
               int64_t bucket_ms, int64_t from, int64_t to) {
    Buckets buckets;
    std::string sql = "SELECT bucket_ms, target_id, ";
    sql += kRollupColumns;
    sql += std::string(" FROM ") + from_table +
           " WHERE bucket_ms >= ? AND bucket_ms < ? ORDER BY bucket_ms";
    Statement s = d.db.prepare(sql);
    s.bind(1, from).bind(2, to);
    while (s.step()) {
        buckets[{floor_to(s.column_int(0), bucket_ms), s.column_int(1)}].add_rollup(s, 2);
    }
    write_buckets(d.db, to_table, buckets);
}

}  // namespace

void HistoryStore::rollup(std::chrono::system_clock::time_point now) {
    Impl& d = *impl_;
    const int64_t minutes_end =
        floor_to(to_epoch_ms(now) - d.options.rollup_grace.count() * 1000, kMinuteMs);

    std::optional<int64_t> minute_done = d.state("minute_done_ms");
    if (!minute_done) {
        auto oldest = d.db.query_int("SELECT min(ts_ms) FROM probes");
        if (!oldest) return;  // nothing recorded yet
        minute_done = floor_to(*oldest, kMinuteMs);
        Transaction tx(d.db);
        d.set("minute_done_ms", *minute_done);
        if (!d.state("hour_done_ms")) d.set("hour_done_ms", floor_to(*minute_done, kHourMs));
        tx.commit();
    }
    for (int64_t from = *minute_done; from < minutes_end;) {
        int64_t to = std::min(minutes_end, from + kMinuteSliceMs);
        Transaction tx(d.db);
        fold_minutes(d, from, to);
        d.set("minute_done_ms", to);
        tx.commit();
        from = to;
        minute_done = to;
    }

    // An hour is complete once all its minutes are folded.
    const int64_t hours_end = floor_to(*minute_done, kHourMs);
    int64_t hour_done = d.state("hour_done_ms").value_or(hours_end);
    for (int64_t from = hour_done; from < hours_end;) {
        int64_t to = std::min(hours_end, from + kHourSliceMs);
        Transaction tx(d.db);
        fold_tier(d, "rollup_minute", "rollup_hour", kHourMs, from, to);
        d.set("hour_done_ms", to);
        tx.commit();
        from = to;
        hour_done = to;
    }

    // A day is complete once all its hours are folded. A database from schema v1 has hours but
    // no days yet: start from its oldest hour.
    std::optional<int64_t> day_done = d.state("day_done_ms");
    if (!day_done) {
        auto oldest = d.db.query_int("SELECT min(bucket_ms) FROM rollup_hour");
        day_done = floor_to(oldest.value_or(hour_done), kDayMs);
        Transaction tx(d.db);
        d.set("day_done_ms", *day_done);
        tx.commit();
    }
    const int64_t days_end = floor_to(hour_done, kDayMs);
    for (int64_t from = *day_done; from < days_end;) {
        int64_t to = std::min(days_end, from + kDaySliceMs);
        Transaction tx(d.db);
        fold_tier(d, "rollup_hour", "rollup_day", kDayMs, from, to);
        d.set("day_done_ms", to);
        tx.commit();
        from = to;
    }
}

void HistoryStore::apply_retention(std::chrono::system_clock::time_point now, RetentionSettings s) {
    Impl& d = *impl_;
    const int64_t now_ms = to_epoch_ms(now);
    auto ms = [](std::chrono::hours h) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(h).count();
    };
    Transaction tx(d.db);
    // Raw rows go only once folded: if rollup has never run, keep them all.
    if (auto minute_done = d.state("minute_done_ms")) {
        int64_t cut = std::min(now_ms - ms(s.raw), *minute_done);
        Statement del = d.db.prepare("DELETE FROM probes WHERE ts_ms < ?");
        del.bind(1, cut).run();
        d.set("raw_low_ms", std::max(cut, d.state("raw_low_ms").value_or(cut)));
    }
    if (auto hour_done = d.state("hour_done_ms")) {
        int64_t cut = std::min(now_ms - ms(s.minute), *hour_done);
        Statement del = d.db.prepare("DELETE FROM rollup_minute WHERE bucket_ms < ?");
        del.bind(1, cut).run();
        d.set("minute_low_ms", std::max(cut, d.state("minute_low_ms").value_or(cut)));
    }
    int64_t cut = now_ms - ms(s.hour);
    Statement del = d.db.prepare("DELETE FROM rollup_hour WHERE bucket_ms < ?");
    del.bind(1, cut).run();
    d.set("hour_low_ms", std::max(cut, d.state("hour_low_ms").value_or(cut)));
    // Days share the hours' retention: a day goes once its last hour would have gone.
    Statement del_days = d.db.prepare("DELETE FROM rollup_day WHERE bucket_ms < ?");
    del_days.bind(1, floor_to(cut, kDayMs)).run();
    tx.commit();
}

}  // namespace nswatch
