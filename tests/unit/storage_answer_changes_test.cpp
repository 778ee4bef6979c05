// Answer changes in a real SQLite file: written beside the history tables, read back newest
// first within a window; a database without the table reads as "no changes".
#include <catch2/catch.hpp>

#include "storage/answer_change_store.hpp"
#include "storage/history.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

TEST_CASE("answer change store: round trip, window and order") {
    test::TempDir dir;
    const std::string db = dir.file("history.db");
    HistoryStore history(db);  // the daemon's history file: the table goes beside it
    const auto t0 = std::chrono::system_clock::time_point{} + 1800000000s;
    AnswerChange a{"www.shop.test.",
                   1,
                   "beta",
                   {"www.shop.test. A 192.0.2.1"},
                   {"www.shop.test. A 192.0.2.9", "www.shop.test. A 192.0.2.10"},
                   0,
                   0};
    AnswerChange b{"old.shop.test.", 1, "alpha", {"old.shop.test. A 192.0.2.5"}, {}, 0, 3};
    {
        AnswerChangeStore store(db);
        store.record("shop.test", "fra1", {a}, t0);
        store.record("shop.test", "fra1", {b}, t0 + 60s);
        store.record("shop.test", "fra1", {}, t0 + 90s);  // nothing: no row
    }
    AnswerChangeStore reader(db, false);
    const int64_t t0_ms = 1800000000LL * 1000;
    auto rows = reader.recent(t0_ms, 20);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].change == b);  // newest first
    CHECK(rows[0].at_ms == t0_ms + 60000);
    CHECK(rows[1].change == a);
    CHECK(rows[1].zone == "shop.test");
    CHECK(rows[1].vantage == "fra1");
    CHECK(reader.recent(t0_ms + 1, 20).size() == 1);
    CHECK(reader.recent(t0_ms, 1).size() == 1);
}

TEST_CASE("answer change store: an old database without the table") {
    test::TempDir dir;
    const std::string db = dir.file("history.db");
    { HistoryStore history(db); }
    AnswerChangeStore reader(db, false);  // opened without creating the table
    CHECK_THROWS_AS(reader.recent(0, 20), StorageError);
}
