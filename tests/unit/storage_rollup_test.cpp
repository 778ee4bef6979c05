// Tests for storage/rollup.cpp and the rollup side of storage/summary.cpp: minute and hour
// rollups, idempotency, retention, and reports over windows older than the raw rows.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "storage/codes.hpp"
#include "storage/history.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z, a whole hour
constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 3'600'000;

Target target(const std::string& ns) {
    Target t;
    t.zone = "shop.test";
    t.nameserver = ns;
    t.address = "192.0.2.1";
    t.provider = "alpha";
    t.vantage = "fra";
    return t;
}

HistoryRow row(const Target& t, int64_t ts_ms, Outcome o, int64_t rtt_us,
               std::optional<uint32_t> serial = std::nullopt) {
    HistoryRow r;
    r.target = t;
    r.ts_ms = ts_ms;
    r.outcome = o;
    r.rcode = o == Outcome::timeout ? -1 : 0;
    r.rtt_us = rtt_us;
    r.serial = serial;
    return r;
}

// Two targets, one probe each every 10 s for `hours` hours from kT0; every 20th a timeout.
// RTTs cycle through 1..50 ms. Serial steps up each hour.
std::vector<HistoryRow> steady_history(int hours) {
    std::vector<HistoryRow> rows;
    const Target a = target("ns1.alpha.example");
    const Target b = target("ns2.alpha.example");
    int n = 0;
    for (int64_t ts = kT0; ts < kT0 + hours * kHour; ts += 10'000, ++n) {
        auto serial = static_cast<uint32_t>(100 + (ts - kT0) / kHour);
        Outcome o = n % 20 == 19 ? Outcome::timeout : Outcome::ok;
        rows.push_back(row(a, ts, o, (n % 50 + 1) * 1000, serial));
        rows.push_back(row(b, ts + 1, Outcome::ok, 5000, serial));
    }
    return rows;
}

// Every rollup row as text, to compare whole tables.
std::string dump(Database& db, const char* table) {
    Statement s = db.prepare(std::string("SELECT bucket_ms, target_id, count, failures, n_ok, ") +
                             "n_timeout, hex(latency), serial_min, serial_max, serial_last, " +
                             "last_ts_ms FROM " + table + " ORDER BY bucket_ms, target_id");
    std::string out;
    while (s.step()) {
        for (int i = 0; i < 11; ++i) out += s.column_text(i) + ",";
        out += "\n";
    }
    return out;
}

std::chrono::system_clock::time_point at(int64_t ms) {
    return from_epoch_ms(ms);
}
}  // namespace

TEST_CASE("rollup: minutes hold counts, outcomes, latency buckets and serials",
          "[storage][rollup]") {
    test::TempDir dir("nswatch-rollup");
    HistoryStore store(dir.file("h.db"));
    const Target a = target("ns1.alpha.example");
    store.insert_rows({
        row(a, kT0 + 1'000, Outcome::ok, 10'000, 5),
        row(a, kT0 + 2'000, Outcome::timeout, 2'000'000),
        row(a, kT0 + 3'000, Outcome::ok, 10'100, 4),  // older serial, newer probe
        row(a, kT0 + kMin + 1'000, Outcome::ok, 300, 6),
    });
    // The second minute is still inside the grace period: only the first is folded.
    store.rollup(at(kT0 + 2 * kMin + 59'000));
    Database& db = store.database();
    CHECK(db.query_int("SELECT count(*) FROM rollup_minute") == 1);
    CHECK(db.query_int("SELECT count FROM rollup_minute") == 3);
    CHECK(db.query_int("SELECT failures FROM rollup_minute") == 1);
    CHECK(db.query_int("SELECT n_ok FROM rollup_minute") == 2);
    CHECK(db.query_int("SELECT n_timeout FROM rollup_minute") == 1);
    CHECK(db.query_int("SELECT serial_min FROM rollup_minute") == 4);
    CHECK(db.query_int("SELECT serial_max FROM rollup_minute") == 5);
    CHECK(db.query_int("SELECT serial_last FROM rollup_minute") == 4);
    CHECK(db.query_int("SELECT last_ts_ms FROM rollup_minute") == kT0 + 3'000);
    {
        // The timeout has no reply: two latencies, both in the 8–11.3 ms bucket.
        Statement s = db.prepare("SELECT latency FROM rollup_minute");
        REQUIRE(s.step());
        LatencyHistogram h{};
        add_encoded_histogram(s.column_blob(0), h);
        LatencyHistogram expected{};
        expected[static_cast<size_t>(latency_bucket(10'000))] = 2;
        CHECK(h == expected);
    }
    store.rollup(at(kT0 + 3 * kMin));
    CHECK(db.query_int("SELECT count(*) FROM rollup_minute") == 2);
    CHECK(db.query_int("SELECT count(*) FROM rollup_hour") == 0);  // the hour is not over
}

TEST_CASE("rollup: wrong_owner (code 12) is counted in every tier and in summaries",
          "[storage][rollup]") {
    test::TempDir dir("nswatch-rollup");
    HistoryStore store(dir.file("h.db"));
    const Target a = target("ns1.alpha.example");
    store.insert_rows({
        row(a, kT0 + 1'000, Outcome::wrong_owner, 1'000),
        row(a, kT0 + 2'000, Outcome::wrong_owner, 1'000),
        row(a, kT0 + 3'000, Outcome::network_error, 1'000),
        row(a, kT0 + 4'000, Outcome::ok, 1'000, 7),
    });
    store.rollup(at(kT0 + 25 * kHour));
    Database& db = store.database();
    CHECK(db.query_int("SELECT outcome FROM probes ORDER BY ts_ms LIMIT 1") == 12);
    for (const char* table : {"rollup_minute", "rollup_hour", "rollup_day"}) {
        INFO(table);
        const std::string from = std::string(" FROM ") + table;
        CHECK(db.query_int("SELECT sum(n_wrong_owner)" + from) == 2);
        CHECK(db.query_int("SELECT sum(n_network_error)" + from) == 1);
        CHECK(db.query_int("SELECT sum(failures)" + from) == 3);
        CHECK(db.query_int("SELECT sum(last_ts_ms)" + from) == kT0 + 4'000);
    }
    // From the rollups (a window of days) and from the raw rows: the same counts.
    for (const bool exact : {false, true}) {
        INFO("exact " << exact);
        const auto summary = store.summarize(at(kT0), at(kT0 + 25 * kHour), exact);
        REQUIRE(summary.size() == 1);
        CHECK(summary[0].latency_exact == exact);
        CHECK(summary[0].failures_of(Outcome::wrong_owner) == 2);
        CHECK(summary[0].failures_of(Outcome::network_error) == 1);
        CHECK(summary[0].failures == 3);
    }
}

TEST_CASE("rollup: hours are the sum of their minutes", "[storage][rollup]") {
    test::TempDir dir("nswatch-rollup");
    HistoryStore store(dir.file("h.db"));
    store.insert_rows(steady_history(3));
    store.rollup(at(kT0 + 3 * kHour + 2 * kMin));
    Database& db = store.database();
    CHECK(db.query_int("SELECT count(*) FROM rollup_minute") == 2 * 3 * 60);
    CHECK(db.query_int("SELECT count(*) FROM rollup_hour") == 2 * 3);
    CHECK(db.query_int("SELECT sum(count) FROM rollup_hour") == 2 * 3 * 360);
    CHECK(db.query_int("SELECT sum(count) FROM rollup_minute") == 2 * 3 * 360);
    CHECK(db.query_int("SELECT sum(n_timeout) FROM rollup_hour") ==
          db.query_int("SELECT count(*) FROM probes WHERE outcome = 1"));
    CHECK(db.query_int("SELECT serial_last FROM rollup_hour ORDER BY bucket_ms DESC LIMIT 1") ==
          102);
    CHECK(db.query_int("SELECT serial_min FROM rollup_hour WHERE bucket_ms = " +
                       std::to_string(kT0 + kHour)) == 101);
}

TEST_CASE("rollup: running it again, or from scratch, gives the same rows", "[storage][rollup]") {
    test::TempDir dir("nswatch-rollup");
    HistoryStore store(dir.file("h.db"));
    store.insert_rows(steady_history(2));
    const auto now = at(kT0 + 2 * kHour + 5 * kMin);
    store.rollup(now);
    Database& db = store.database();
    const std::string minutes = dump(db, "rollup_minute");
    const std::string hours = dump(db, "rollup_hour");
    REQUIRE_FALSE(hours.empty());

    store.rollup(now);
    store.rollup(now + 30s);
    CHECK(dump(db, "rollup_minute") == minutes);
    CHECK(dump(db, "rollup_hour") == hours);

    // Forget the watermarks: everything is folded again, into the very same rows.
    db.exec("DELETE FROM rollup_state");
    store.rollup(now);
    CHECK(dump(db, "rollup_minute") == minutes);
    CHECK(dump(db, "rollup_hour") == hours);
}

TEST_CASE("retention: old rows go, unfolded rows stay", "[storage][rollup]") {
    test::TempDir dir("nswatch-rollup");
    HistoryStore store(dir.file("h.db"));
    const Target a = target("ns1.alpha.example");
    store.insert_rows(
        {row(a, kT0, Outcome::ok, 1000), row(a, kT0 + 50 * kHour, Outcome::ok, 1000)});
    Database& db = store.database();
    const auto now = at(kT0 + 50 * kHour + 10 * kMin);

    // Never rolled up: retention must not delete raw rows that exist nowhere else.
    store.apply_retention(now);
    CHECK(db.query_int("SELECT count(*) FROM probes") == 2);

    store.rollup(now);
    store.apply_retention(now);  // raw 48 h
    CHECK(db.query_int("SELECT count(*) FROM probes") == 1);
    CHECK(db.query_int("SELECT count(*) FROM rollup_minute") == 2);
    CHECK(db.query_int("SELECT count(*) FROM rollup_hour") == 1);  // the newest hour is not over

    RetentionSettings short_keep{1h, 2h, 24h};
    store.apply_retention(now, short_keep);
    CHECK(db.query_int("SELECT count(*) FROM probes") == 1);  // the newest row is 10 minutes old
    CHECK(db.query_int("SELECT count(*) FROM rollup_minute") == 1);
    CHECK(db.query_int("SELECT min(bucket_ms) FROM rollup_minute") == kT0 + 50 * kHour);
    CHECK(db.query_int("SELECT count(*) FROM rollup_hour") == 0);
}

TEST_CASE("summarize: windows older than raw retention come from rollups", "[storage][rollup]") {
    test::TempDir dir("nswatch-rollup");
    HistoryStore store(dir.file("h.db"));
    store.insert_rows(steady_history(72));
    const auto now = at(kT0 + 72 * kHour);
    const auto since = at(kT0);
    auto exact = store.summarize(since, now, true);
    REQUIRE(exact.size() == 2);
    REQUIRE(exact[0].latency_exact);
    // Without asking, a window of days is not read row by row even while raw rows cover it.
    auto coarse = store.summarize(since, now);
    REQUIRE(coarse.size() == 2);
    CHECK_FALSE(coarse[0].latency_exact);
    CHECK(coarse[0].probes == exact[0].probes);

    store.rollup(now);
    store.apply_retention(now);  // raw rows older than 48 h go
    auto approx = store.summarize(since, now);
    REQUIRE(approx.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
        INFO(i);
        const TargetSummary& e = exact[i];
        const TargetSummary& r = approx[i];
        CHECK_FALSE(r.latency_exact);
        CHECK(r.target == e.target);
        CHECK(r.probes == e.probes);
        CHECK(r.failures == e.failures);
        CHECK(r.failures_of(Outcome::timeout) == e.failures_of(Outcome::timeout));
        CHECK(r.availability == e.availability);
        CHECK(r.last_serial == e.last_serial);
        CHECK(r.last_ts == e.last_ts);  // the newest rows are still raw
        // Interpolated percentiles stay within a half-octave bucket of the exact ones.
        for (auto [x, y] : {std::pair{e.p50, r.p50}, {e.p95, r.p95}, {e.p99, r.p99}}) {
            REQUIRE(x.has_value());
            REQUIRE(y.has_value());
            double ratio = static_cast<double>(y->count()) / static_cast<double>(x->count());
            CHECK(ratio > 1 / std::sqrt(2.0));
            CHECK(ratio < std::sqrt(2.0));
        }
    }

    // A window from 60 h ago to 50 h ago: only rollups know it. Minutes answer, since they are
    // still within their 30 days.
    auto old = store.summarize(at(kT0 + 12 * kHour), at(kT0 + 22 * kHour));
    REQUIRE(old.size() == 2);
    CHECK(old[1].probes == 10 * 360);
    CHECK_FALSE(old[1].latency_exact);
    CHECK(old[1].p50 > 4ms);
    CHECK(old[1].p50 <= 5657us);  // the bucket holding 5 ms ends at 4 ms * sqrt 2
}

TEST_CASE("summarize: once minutes are gone, hours answer", "[storage][rollup]") {
    test::TempDir dir("nswatch-rollup");
    HistoryStore store(dir.file("h.db"));
    store.insert_rows(steady_history(6));
    const auto now = at(kT0 + 6 * kHour + 5 * kMin);
    store.rollup(now);
    store.apply_retention(now, RetentionSettings{1h, 2h, 100h});
    Database& db = store.database();
    REQUIRE(db.query_int("SELECT min(bucket_ms) FROM rollup_minute") >= kT0 + 4 * kHour);
    // From 00:30: the first hour's minutes are gone, so the 00:00 hour answers for it, whole.
    auto s = store.summarize(at(kT0 + 30 * kMin), now);
    REQUIRE(s.size() == 2);
    CHECK(s[1].probes == 6 * 360);
    CHECK(s[1].failures == 0);
    CHECK(s[0].failures == 6 * 360 / 20);
}

TEST_CASE("rollup: whole UTC days fold into the day tier, and summaries over days use it",
          "[storage][rollup]") {
    test::TempDir dir("nswatch-rollup");
    HistoryStore store(dir.file("h.db"));
    store.insert_rows(steady_history(80));  // 3 whole days from midnight, then 8 hours
    const auto now = at(kT0 + 80 * kHour);
    store.rollup(now);
    Database& db = store.database();
    CHECK(db.query_int("SELECT count(DISTINCT bucket_ms) FROM rollup_day") == 3);
    CHECK(db.query_int("SELECT min(bucket_ms) FROM rollup_day") == kT0);
    // The days hold exactly what their hours hold.
    const std::string before_day4 =
        " FROM rollup_hour WHERE bucket_ms < " + std::to_string(kT0 + 72 * kHour);
    CHECK(db.query_int("SELECT sum(count) FROM rollup_day") ==
          db.query_int("SELECT sum(count)" + before_day4));
    CHECK(db.query_int("SELECT sum(n_timeout) FROM rollup_day") ==
          db.query_int("SELECT sum(n_timeout)" + before_day4));

    // Rolling up again folds nothing twice.
    store.rollup(now);
    CHECK(db.query_int("SELECT sum(count) FROM rollup_day") == 3 * 24 * 360 * 2);

    const auto exact = store.summarize(at(kT0), now, true);
    store.apply_retention(now);  // raw rows older than 48 h go: days must answer for them
    const auto from_days = store.summarize(at(kT0), now);
    REQUIRE(from_days.size() == exact.size());
    for (size_t i = 0; i < exact.size(); ++i) {
        CHECK(from_days[i].probes == exact[i].probes);
        CHECK(from_days[i].failures == exact[i].failures);
        CHECK(from_days[i].last_serial == exact[i].last_serial);
    }

    // Days go with the hours' retention, once their last hour would have gone.
    store.apply_retention(now, RetentionSettings{48h, 30 * 24h, 50h});
    CHECK(db.query_int("SELECT count(DISTINCT bucket_ms) FROM rollup_day") == 2);
}
