// Tests for storage/history.cpp and storage/summary.cpp: inserting probe results and the
// per-target report behind `nswatch status`. Real SQLite files in a temporary directory.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "storage/history.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

Target target(const std::string& ns, const std::string& provider = "alpha") {
    Target t;
    t.zone = "shop.test";
    t.nameserver = ns;
    t.address = "192.0.2.1";
    t.provider = provider;
    t.vantage = "fra";
    return t;
}

HistoryRow row(const Target& t, int64_t ts_ms, Outcome o, int64_t rtt_us,
               std::optional<uint32_t> serial = std::nullopt) {
    HistoryRow r;
    r.target = t;
    r.ts_ms = ts_ms;
    r.outcome = o;
    r.rcode = o == Outcome::timeout ? -1 : (o == Outcome::refused ? 5 : 0);
    r.rtt_us = rtt_us;
    r.serial = serial;
    return r;
}
}  // namespace

TEST_CASE("history: percentiles over raw rows are exact nearest-rank values",
          "[storage][history]") {
    test::TempDir dir("nswatch-history");
    HistoryStore store(dir.file("h.db"));
    const Target a = target("ns1.alpha.example");
    std::vector<HistoryRow> rows;
    // RTTs 1..100 ms, shuffled in time so order of insertion does not matter.
    for (int i = 1; i <= 100; ++i) {
        rows.push_back(row(a, kT0 + ((i * 37) % 100) * 1000, Outcome::ok, i * 1000, 2026010100));
    }
    store.insert_rows(rows);

    auto summary = store.summarize(from_epoch_ms(kT0), from_epoch_ms(kT0 + 3'600'000));
    REQUIRE(summary.size() == 1);
    const TargetSummary& s = summary[0];
    CHECK(s.target == a);
    CHECK(s.probes == 100);
    CHECK(s.failures == 0);
    CHECK(s.availability == 1.0);
    CHECK(s.latency_exact);
    CHECK(s.p50 == 50ms);
    CHECK(s.p95 == 95ms);
    CHECK(s.p99 == 99ms);
    CHECK(s.last_serial == 2026010100u);
}

TEST_CASE("history: failures by outcome, availability and the last probe per target",
          "[storage][history]") {
    test::TempDir dir("nswatch-history");
    HistoryStore store(dir.file("h.db"));
    const Target a = target("ns1.alpha.example");
    const Target b = target("ns1.beta.example", "beta");
    store.insert_rows({
        row(a, kT0 + 1000, Outcome::ok, 10'000, 7),
        row(a, kT0 + 2000, Outcome::timeout, 2'000'000),
        row(a, kT0 + 3000, Outcome::refused, 3'000),
        row(a, kT0 + 4000, Outcome::ok, 12'000, 8),
        row(b, kT0 + 1500, Outcome::ok, 20'000, 6),
        row(b, kT0 + 2500, Outcome::timeout, 2'000'000),
    });
    auto summary = store.summarize(from_epoch_ms(kT0), from_epoch_ms(kT0 + 10'000));
    REQUIRE(summary.size() == 2);
    const TargetSummary& sa = summary[0];  // sorted by provider: alpha before beta
    CHECK(sa.target == a);
    CHECK(sa.probes == 4);
    CHECK(sa.failures == 2);
    CHECK(sa.failures_of(Outcome::timeout) == 1);
    CHECK(sa.failures_of(Outcome::refused) == 1);
    CHECK(sa.availability == 0.5);
    // The timeout has no reply, so it is not in the latency percentiles.
    CHECK(sa.p99 == 12ms);
    CHECK(sa.last_serial == 8u);
    CHECK(sa.last_outcome == Outcome::ok);
    CHECK(sa.last_ts == from_epoch_ms(kT0 + 4000));

    const TargetSummary& sb = summary[1];
    CHECK(sb.target == b);
    CHECK(sb.last_outcome == Outcome::timeout);
    CHECK(sb.last_serial == 6u);  // the newest probe that had a serial
    CHECK(sb.p50 == 20ms);

    // A window that ends before b's timeout sees only b's first probe.
    auto early = store.summarize(from_epoch_ms(kT0), from_epoch_ms(kT0 + 2000));
    REQUIRE(early.size() == 2);
    CHECK(early[1].probes == 1);
    CHECK(early[1].availability == 1.0);
    CHECK(store.summarize(from_epoch_ms(kT0 + 60'000), from_epoch_ms(kT0 + 120'000)).empty());
}

TEST_CASE("history: insert_batch stores ProbeResults with flags, size and serial",
          "[storage][history]") {
    test::TempDir dir("nswatch-history");
    HistoryStore store(dir.file("h.db"));
    ProbeResult r;
    r.target = target("ns1.alpha.example");
    r.target.transport = Transport::tcp;
    r.target.family = Family::ipv6;
    r.target.address = "2001:db8::1";
    r.sent_wall = from_epoch_ms(kT0);
    r.rtt = 4500us;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.aa = true;
    r.ra = true;
    r.soa = SoaFields{"ns1.alpha.example.", "admin.shop.test.", 42, 0, 0, 0, 0, 300};
    r.reply_size = 321;
    ProbeResult other = r;
    other.target.transport = Transport::udp;
    other.soa.reset();
    store.insert_batch({r, other, r});

    Database& db = store.database();
    CHECK(db.query_int("SELECT count(*) FROM targets") == 2);
    CHECK(db.query_int("SELECT count(*) FROM zones") == 1);
    CHECK(db.query_int("SELECT flags FROM probes WHERE id = 1") == (kFlagAA | kFlagRA));
    CHECK(db.query_int("SELECT reply_size FROM probes WHERE id = 1") == 321);
    CHECK(db.query_int("SELECT rtt_us FROM probes WHERE id = 1") == 4500);
    CHECK(db.query_int("SELECT serial FROM probes WHERE id = 2") == std::nullopt);
    CHECK(db.query_int("SELECT family FROM targets WHERE id = 1") == 6);

    auto summary = store.summarize(from_epoch_ms(kT0), from_epoch_ms(kT0 + 1));
    REQUIRE(summary.size() == 2);
    CHECK(summary[0].target.transport == Transport::udp);  // udp sorts before tcp
    CHECK(summary[1].target == r.target);
    CHECK(summary[1].probes == 2);
    CHECK(summary[1].last_serial == 42u);
}

TEST_CASE("history: a batch that fails leaves nothing behind and the store stays usable",
          "[storage][history]") {
    test::TempDir dir("nswatch-history");
    const std::string path = dir.file("h.db");
    HistoryStore store(path);
    const Target a = target("ns1.alpha.example");
    store.insert_rows({row(a, kT0, Outcome::ok, 1000)});
    {
        // Another connection holds the write lock: the batch (with a new target) fails as a whole.
        Database other(path);
        other.exec("BEGIN IMMEDIATE");
        HistoryStore blocked(path, HistoryOptions{10ms, 60s});
        CHECK_THROWS_AS(
            blocked.insert_rows({row(target("ns2.alpha.example"), kT0 + 1, Outcome::ok, 1000)}),
            StorageError);
        other.exec("ROLLBACK");
    }
    store.insert_rows({row(target("ns2.alpha.example"), kT0 + 2, Outcome::ok, 1000)});
    CHECK(store.database().query_int("SELECT count(*) FROM probes") == 2);
    CHECK(store.database().query_int("SELECT count(*) FROM targets") == 2);
}

TEST_CASE("history: thousands of targets keep their own ids across batches and stores",
          "[storage][history]") {
    // More targets than the id cache's first table holds, so that it grows while in use.
    test::TempDir dir("nswatch-history");
    const std::string path = dir.file("h.db");
    auto nth = [](int i) {
        Target t = target("ns" + std::to_string(i % 7) + ".alpha.example");
        t.zone = "z" + std::to_string(i / 4) + ".test";
        t.address = "192.0.2." + std::to_string(i % 4);
        t.transport = i % 3 == 0 ? Transport::tcp : Transport::udp;
        return t;
    };
    constexpr int kTargets = 3000;
    auto batch = [&](int64_t ts) {
        std::vector<HistoryRow> rows;
        for (int i = 0; i < kTargets; ++i) rows.push_back(row(nth(i), ts + i, Outcome::ok, i));
        return rows;
    };
    {
        HistoryStore store(path);
        store.insert_rows(batch(kT0));
        store.insert_rows(batch(kT0 + 10'000));
    }
    HistoryStore store(path);  // a new cache, the same rows
    store.insert_rows(batch(kT0 + 20'000));
    Database& db = store.database();
    CHECK(db.query_int("SELECT count(*) FROM targets") == kTargets);
    CHECK(db.query_int("SELECT count(*) FROM probes") == 3 * kTargets);
    // rtt_us is the target's index: every probe of it points at the same, matching row.
    Statement s = db.prepare(
        "SELECT p.rtt_us, z.name, t.nameserver, t.address, t.transport, count(DISTINCT t.id) "
        "FROM probes p JOIN targets t ON t.id = p.target_id JOIN zones z ON z.id = t.zone_id "
        "GROUP BY p.rtt_us");
    int seen = 0;
    while (s.step()) {
        const Target t = nth(static_cast<int>(s.column_int(0)));
        CHECK(s.column_text(1) == t.zone);
        CHECK(s.column_text(2) == t.nameserver);
        CHECK(s.column_text(3) == t.address);
        CHECK(s.column_int(4) == (t.transport == Transport::tcp ? 1 : 0));
        CHECK(s.column_int(5) == 1);
        ++seen;
    }
    CHECK(seen == kTargets);
}

TEST_CASE("history: ids a rolled-back batch took are not used again from the cache",
          "[storage][history]") {
    test::TempDir dir("nswatch-history");
    const std::string path = dir.file("h.db");
    HistoryStore store(path);
    store.insert_rows({row(target("ns1.alpha.example"), kT0, Outcome::ok, 1000)});
    // The second row fails after the first added a zone and a target: both roll back.
    store.database().exec(
        "CREATE TRIGGER boom BEFORE INSERT ON probes WHEN NEW.ts_ms = 666 "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END");
    Target blog = target("ns1.alpha.example");
    blog.zone = "blog.test";
    CHECK_THROWS_AS(store.insert_rows(
                        {row(blog, kT0 + 1, Outcome::ok, 1000), row(blog, 666, Outcome::ok, 1000)}),
                    StorageError);
    store.database().exec("DROP TRIGGER boom");
    // Another new zone and target now get the ids blog.test's had for a moment.
    Target news = target("ns9.alpha.example");
    news.zone = "news.test";
    store.insert_rows({row(news, kT0 + 2, Outcome::ok, 1000)});
    store.insert_rows({row(blog, kT0 + 3, Outcome::ok, 1000)});
    Database& db = store.database();
    CHECK(db.query_int("SELECT count(*) FROM targets") == 3);
    Statement s = db.prepare(
        "SELECT p.ts_ms, z.name, t.nameserver FROM probes p JOIN targets t ON t.id = "
        "p.target_id JOIN zones z ON z.id = t.zone_id ORDER BY p.ts_ms");
    std::vector<std::string> got;
    while (s.step()) got.push_back(s.column_text(1) + " " + s.column_text(2));
    CHECK(got == std::vector<std::string>{"shop.test ns1.alpha.example",
                                          "news.test ns9.alpha.example",
                                          "blog.test ns1.alpha.example"});
}
