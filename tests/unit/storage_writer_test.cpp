// Tests for storage/writer.cpp: the writer thread drains on stop, drops and counts when its queue
// is full, and retries a locked database.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <thread>

#include "storage/writer.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

ProbeResult result(int n) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.nameserver = "ns" + std::to_string(n % 4) + ".alpha.example";
    r.target.address = "192.0.2." + std::to_string(n % 4);
    r.target.provider = "alpha";
    r.target.vantage = "fra";
    r.sent_wall = std::chrono::system_clock::time_point(std::chrono::milliseconds(n));
    r.rtt = std::chrono::microseconds(1000 + n % 100);
    r.outcome = Outcome::ok;
    r.rcode = 0;
    return r;
}

int64_t rows_in(const std::string& path) {
    Database db(path);
    return db.query_int("SELECT count(*) FROM probes").value_or(-1);
}
}  // namespace

TEST_CASE("writer: stop drains the queue and commits every result", "[storage][writer]") {
    test::TempDir dir("nswatch-writer");
    const std::string path = dir.file("h.db");
    WriterSettings settings;
    settings.batch_size = 1000;
    settings.batch_interval = 1h;  // nothing is written by the timer: only stop() can do it
    HistoryWriter writer(std::make_unique<HistoryStore>(path), settings);
    int accepted = 0;
    for (int i = 0; i < 12'345; ++i) accepted += writer.submit(result(i)) ? 1 : 0;
    writer.stop();
    CHECK(accepted == 12'345);
    CHECK(writer.dropped() == 0);
    CHECK(writer.errors() == 0);
    CHECK(writer.written() == 12'345);
    CHECK(rows_in(path) == 12'345);
    CHECK_FALSE(writer.submit(result(0)));  // after stop, refused and counted
    CHECK(writer.dropped() == 1);
}

TEST_CASE("writer: flush returns once earlier results are committed", "[storage][writer]") {
    test::TempDir dir("nswatch-writer");
    const std::string path = dir.file("h.db");
    WriterSettings settings;
    settings.batch_interval = 1h;
    HistoryWriter writer(std::make_unique<HistoryStore>(path), settings);
    for (int i = 0; i < 10; ++i) writer.submit(result(i));
    writer.flush();
    CHECK(rows_in(path) == 10);
    writer.flush();  // nothing queued: returns at once
    for (int i = 0; i < 5; ++i) writer.submit(result(i));
    writer.flush();
    CHECK(rows_in(path) == 15);
    // More than one batch: every batch is written without waiting for the (hour-long) timer.
    for (int i = 0; i < 12'000; ++i) writer.submit(result(i));
    writer.flush();
    CHECK(rows_in(path) == 12'015);
}

TEST_CASE("writer: a full queue drops and counts instead of blocking", "[storage][writer]") {
    test::TempDir dir("nswatch-writer");
    const std::string path = dir.file("h.db");
    WriterSettings settings;
    settings.capacity = 10;
    settings.batch_size = 1000;    // never reached, so the writer is not woken...
    settings.batch_interval = 1h;  // ...and its timer does not fire during the test
    HistoryWriter writer(std::make_unique<HistoryStore>(path), settings);
    int accepted = 0;
    for (int i = 0; i < 25; ++i) accepted += writer.submit(result(i)) ? 1 : 0;
    CHECK(accepted == 10);
    CHECK(writer.dropped() == 15);
    CHECK(writer.queued() == 10);
    writer.stop();
    CHECK(rows_in(path) == 10);
}

TEST_CASE("writer: a locked database is retried with backoff, then written", "[storage][writer]") {
    test::TempDir dir("nswatch-writer");
    const std::string path = dir.file("h.db");
    auto store = std::make_unique<HistoryStore>(path, HistoryOptions{20ms, 60s});
    Database other(path);
    other.exec("BEGIN IMMEDIATE");  // someone else holds the write lock
    WriterSettings settings;
    settings.batch_interval = 10ms;
    HistoryWriter writer(std::move(store), settings);
    for (int i = 0; i < 100; ++i) writer.submit(result(i));
    auto flushed = std::async(std::launch::async, [&] { writer.flush(); });
    CHECK(flushed.wait_for(300ms) == std::future_status::timeout);
    CHECK(writer.errors() >= 1);
    other.exec("COMMIT");
    REQUIRE(flushed.wait_for(10s) == std::future_status::ready);
    CHECK(writer.written() == 100);
    CHECK(writer.lost() == 0);
    CHECK(rows_in(path) == 100);
}

TEST_CASE("writer: a full database loses the batch, counts it, and writing goes on",
          "[storage][writer]") {
    test::TempDir dir("nswatch-writer");
    const std::string path = dir.file("h.db");
    auto store = std::make_unique<HistoryStore>(path);
    Database& db = store->database();
    // A page limit at the current size stands in for a full disk: SQLite answers SQLITE_FULL.
    const int64_t pages = db.query_int("PRAGMA page_count").value_or(0);
    db.exec("PRAGMA max_page_count = " + std::to_string(pages));
    WriterSettings settings;
    settings.batch_interval = 1h;  // one batch, written by flush()
    HistoryWriter writer(std::move(store), settings);
    for (int i = 0; i < 3000; ++i) writer.submit(result(i));
    writer.flush();
    CHECK(writer.errors() == 1);
    CHECK(writer.lost() == 3000);
    CHECK(writer.written() == 0);
    CHECK(rows_in(path) == 0);
    // The limit was the connection's, not the file's: with room again, the file takes rows.
    writer.stop();
    CHECK_NOTHROW(HistoryStore(path).insert_batch({result(1)}));
    CHECK(rows_in(path) == 1);
}

TEST_CASE("writer: rollup and retention run on the writer thread", "[storage][writer]") {
    test::TempDir dir("nswatch-writer");
    const std::string path = dir.file("h.db");
    WriterSettings settings;
    settings.batch_interval = 10ms;
    settings.maintenance_interval = 20ms;
    // Results are from the first seconds of 1970; "now" is three days later.
    settings.now = [] { return std::chrono::system_clock::time_point(72h); };
    HistoryWriter writer(std::make_unique<HistoryStore>(path), settings);
    for (int i = 0; i < 100; ++i) writer.submit(result(i * 1000));
    writer.flush();
    Database db(path);
    for (int i = 0; i < 200 && db.query_int("SELECT count(*) FROM probes") != 0; ++i) {
        std::this_thread::sleep_for(10ms);
    }
    writer.stop();
    CHECK(db.query_int("SELECT count(*) FROM probes") == 0);  // past raw retention
    CHECK(db.query_int("SELECT sum(count) FROM rollup_minute") == 100);
    CHECK(db.query_int("SELECT sum(count) FROM rollup_hour") == 100);
    CHECK(writer.errors() == 0);
}
