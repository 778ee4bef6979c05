// nswatch_bench_status_gen: builds a history database holding 30 days for TARGETS targets (1,000 =
// 250 zones x 4 addresses, UDP) probed every 60 s, for timing `nswatch status --db FILE --since
// ...` (bench/status_30d.sh). How, to stay within a minute or so:
//   1. raw rows for the last RAW_HOURS (48) through HistoryStore::insert_rows, one per target per
//      minute (0.5 % timeouts, log-normal RTTs around 0.8 ms, a serial that changes every 6 h);
//   2. rollup(now): folds them into rollup_minute and rollup_hour, as the daemon's writer does;
//   3. the older days of rollup_hour are copies of those 48 h of hour rows shifted back by 48 h at
//   a
//      time until 30 days are covered (SQL, one statement per copy);
//   4. apply_retention(now) with the defaults (raw 48 h, minutes 30 d, hours 400 d).
// Minute rollups older than RAW_HOURS are NOT generated (a real 30-day database has them: 43 M rows
// at 1,000 targets): `status --since 30d` reads hours for whole hours and minutes only for the
// first partial hour, so they would only make the minute table's B-tree deeper.
//
//   nswatch_bench_status_gen --db FILE [--targets N] [--days N] [--raw-hours N]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "storage/history.hpp"

using namespace nswatch;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

int main(int argc, char** argv) {
    std::string db;
    size_t targets = 1'000;
    int days = 30, raw_hours = 48;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--db")
            db = argv[i + 1];
        else if (a == "--targets")
            targets = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--days")
            days = std::atoi(argv[i + 1]);
        else if (a == "--raw-hours")
            raw_hours = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (db.empty()) {
        std::fprintf(stderr, "usage: %s --db FILE [--targets N] [--days N] [--raw-hours N]\n",
                     argv[0]);
        return 2;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);

    std::vector<Target> tgts(targets);
    for (size_t i = 0; i < targets; ++i) {
        Target& t = tgts[i];
        char buf[64];
        std::snprintf(buf, sizeof buf, "z%06zu.bench.test", i / 4);
        t.zone = buf;
        std::snprintf(buf, sizeof buf, "ns%zu.p%zu.bench.test", i % 4 + 1, i % 4 + 1);
        t.nameserver = buf;
        std::snprintf(buf, sizeof buf, "127.54.0.%zu", i % 4 + 1);
        t.address = buf;
        t.provider = "p" + std::to_string(i % 4 + 1);
        t.vantage = "default";
    }
    const auto now = std::chrono::system_clock::now();
    const int64_t now_ms = to_epoch_ms(now);
    const int64_t minute = 60'000, hour = 3'600'000;
    const int64_t raw_start = (now_ms - raw_hours * hour) / hour * hour + hour;  // whole hours

    HistoryStore store(db);
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> rtt_us(std::log(800.0), 0.5);
    auto t0 = Clock::now();
    size_t nraw = 0;
    std::vector<HistoryRow> batch;
    batch.reserve(5'000);
    for (int64_t m = raw_start; m + minute <= now_ms; m += minute) {
        for (size_t i = 0; i < targets; ++i) {
            HistoryRow r;
            r.target = tgts[i];
            r.ts_ms = m + static_cast<int64_t>(i * 59'000 / targets);
            r.qtype = 6;
            const bool fail = rng() % 200 == 0;
            r.outcome = fail ? Outcome::timeout : Outcome::ok;
            r.rcode = fail ? -1 : 0;
            r.rtt_us = fail ? 2'000'000 : static_cast<int64_t>(rtt_us(rng));
            if (!fail) r.serial = 2024010100u + static_cast<uint32_t>(m / (6 * hour) % 100);
            r.flags = fail ? 0 : 1;
            r.reply_size = fail ? 0 : 120;
            batch.push_back(std::move(r));
            if (batch.size() == 5'000) {
                store.insert_rows(batch);
                nraw += batch.size();
                batch.clear();
            }
        }
    }
    if (!batch.empty()) {
        store.insert_rows(batch);
        nraw += batch.size();
        batch.clear();
    }
    std::printf("raw: %zu rows over %d h in %.1f s\n", nraw, raw_hours, since(t0));

    t0 = Clock::now();
    store.rollup(now);
    std::printf("rollup(now): %.1f s\n", since(t0));

    t0 = Clock::now();
    Database& d = store.database();
    d.exec("BEGIN");
    const int64_t span = raw_hours * hour;
    int copies = 0;
    for (int64_t shift = span; raw_start - shift + span > now_ms - days * 24 * hour;
         shift += span, ++copies) {
        d.exec("INSERT OR IGNORE INTO rollup_hour SELECT bucket_ms - " + std::to_string(shift) +
               ", target_id, count, failures, n_ok, n_timeout, n_refused, n_servfail, n_nxdomain, "
               "n_formerr, "
               "n_not_authoritative, n_truncated, n_id_mismatch, n_question_mismatch, n_malformed, "
               "n_network_error, latency, serial_min, serial_max, serial_last, last_ts_ms - " +
               std::to_string(shift) + ", n_wrong_owner FROM rollup_hour WHERE bucket_ms >= " +
               std::to_string(raw_start) + " AND bucket_ms - " + std::to_string(shift) +
               " >= " + std::to_string(now_ms - days * 24 * hour - hour));
    }
    d.exec("COMMIT");
    std::printf("older hour rollups: %d shifted copies in %.1f s\n", copies, since(t0));

    // The copied hours are older than the day watermark the first rollup set: fold the days again
    // from the oldest hour, as the writer would have done day by day.
    t0 = Clock::now();
    d.exec("DELETE FROM rollup_day");
    d.exec("DELETE FROM rollup_state WHERE key = 'day_done_ms'");
    store.rollup(now);
    std::printf("day rollups: %.1f s\n", since(t0));

    t0 = Clock::now();
    store.apply_retention(now);
    std::printf("apply_retention(now): %.1f s\n", since(t0));
    d.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    auto count = [&](const char* table) {
        Statement s =
            d.prepare(std::string("SELECT count(*), min(") +
                      (std::string(table) == "probes" ? "ts_ms" : "bucket_ms") + ") FROM " + table);
        s.step();
        std::printf("  %-14s %10lld rows, oldest %.1f days ago\n", table,
                    static_cast<long long>(s.column_int(0)),
                    (now_ms - s.column_int(1)) / 86'400'000.0);
    };
    count("probes");
    count("rollup_minute");
    count("rollup_hour");
    count("rollup_day");
    std::printf("database %s: %.1f MiB\n", db.c_str(), std::filesystem::file_size(db) / 1048576.0);
    return 0;
}
