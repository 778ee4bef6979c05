// Tests for storage/schema.cpp and opening files: migrations, re-opening, damaged files.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "storage/history.hpp"
#include "storage/schema.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
namespace fs = std::filesystem;

namespace {

HistoryRow row(int64_t ts_ms, int n) {
    HistoryRow r;
    r.target.zone = "shop.test";
    r.target.nameserver = "ns" + std::to_string(n % 7) + ".example";
    r.target.address = "192.0.2." + std::to_string(n % 7);
    r.target.provider = "example";
    r.target.vantage = "lab";
    r.ts_ms = ts_ms;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.rtt_us = 1000 + n;
    return r;
}

std::string error_of(const std::string& path) {
    try {
        HistoryStore store(path);
    } catch (const StorageError& e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST_CASE("schema: an empty file is migrated to the current version", "[storage][schema]") {
    test::TempDir dir("nswatch-schema");
    Database db(dir.file("h.db"));
    CHECK(schema_version(db) == 0);
    CHECK(open_schema(db, 1000) == static_cast<int>(migrations().size()));
    CHECK(schema_version(db) == current_schema_version());
    CHECK(current_schema_version() == 3);
    CHECK(db.query_text("PRAGMA journal_mode") == "wal");
    CHECK(db.query_int("PRAGMA synchronous") == 1);  // NORMAL
    for (const char* table : {"zones", "vantages", "targets", "probes", "rollup_minute",
                              "rollup_hour", "rollup_state"}) {
        INFO(table);
        CHECK(db.query_int(std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") +
                           table + "'") == 1);
    }
}

TEST_CASE("schema: re-opening an existing file runs no migration and keeps the rows",
          "[storage][schema]") {
    test::TempDir dir("nswatch-schema");
    const std::string path = dir.file("h.db");
    {
        HistoryStore store(path);
        store.insert_rows({row(1'000, 1), row(2'000, 2)});
    }
    Database db(path);
    CHECK(open_schema(db, 1000) == 0);
    CHECK(db.query_int("SELECT count(*) FROM probes") == 2);
    {
        HistoryStore again(path);
        again.insert_rows({row(3'000, 1)});
    }
    CHECK(db.query_int("SELECT count(*) FROM probes") == 3);
    CHECK(db.query_int("SELECT count(*) FROM targets") == 2);  // dictionary rows reused
}

TEST_CASE("schema: a version 2 file gains n_wrong_owner = 0 and keeps its rollup rows",
          "[storage][schema]") {
    test::TempDir dir("nswatch-schema");
    const std::string path = dir.file("h.db");
    {
        Database v2(path);
        for (const Migration& m : migrations()) {
            if (m.version <= 2) v2.exec(m.sql);
        }
        v2.exec("PRAGMA user_version=2");
        v2.exec(
            "INSERT INTO rollup_hour VALUES (3600000, 1, 5, 2, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, "
            "0, x'', NULL, NULL, NULL, 3600500)");
    }
    Database db(path);
    CHECK(open_schema(db, 1000) == 1);
    CHECK(schema_version(db) == 3);
    CHECK(db.query_int("SELECT count FROM rollup_hour") == 5);
    CHECK(db.query_int("SELECT n_malformed FROM rollup_hour") == 1);
    CHECK(db.query_int("SELECT n_wrong_owner FROM rollup_hour") == 0);
    CHECK(db.query_int("SELECT count(*) FROM pragma_table_info('rollup_minute') "
                       "WHERE name = 'n_wrong_owner'") == 1);
    CHECK(db.query_int("SELECT count(*) FROM pragma_table_info('rollup_day') "
                       "WHERE name = 'n_wrong_owner'") == 1);
}

TEST_CASE("schema: a file from a newer nswatch is refused, not downgraded", "[storage][schema]") {
    test::TempDir dir("nswatch-schema");
    const std::string path = dir.file("h.db");
    {
        Database db(path);
        db.exec("PRAGMA user_version=99");
    }
    std::string message = error_of(path);
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains("schema version 99"));
}

TEST_CASE("schema: a reader does not create a missing file", "[storage][schema]") {
    test::TempDir dir("nswatch-schema");
    const std::string path = dir.file("typo.db");
    HistoryOptions reader;
    reader.create_if_missing = false;
    try {
        HistoryStore store(path, reader);
        FAIL("opened a missing file");
    } catch (const StorageError& e) {
        CHECK_THAT(e.what(), Catch::Contains(path) && Catch::Contains("unable to open"));
    }
    CHECK_FALSE(fs::exists(path));
}

TEST_CASE("schema: a file of garbage bytes is a StorageError naming the file",
          "[storage][schema]") {
    test::TempDir dir("nswatch-schema");
    const std::string path = dir.file("garbage.db");
    {
        std::ofstream out(path, std::ios::binary);
        for (int i = 0; i < 8192; ++i) out.put(static_cast<char>((i * 131 + 7) & 0xff));
    }
    std::string message = error_of(path);
    INFO(message);
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains("file is not a database"));
}

TEST_CASE("schema: a truncated database is a StorageError naming the file", "[storage][schema]") {
    test::TempDir dir("nswatch-schema");
    const std::string path = dir.file("cut.db");
    {
        HistoryStore store(path);
        std::vector<HistoryRow> rows;
        for (int i = 0; i < 20'000; ++i) rows.push_back(row(i * 10, i));
        store.insert_rows(rows);
    }  // closing the last connection checkpoints the WAL into the file
    REQUIRE_FALSE(fs::exists(path + "-wal"));
    auto size = fs::file_size(path);
    REQUIRE(size > 64 * 1024);
    fs::resize_file(path, size / 2);
    std::string message = error_of(path);
    INFO(message);
    CHECK_THAT(message, Catch::Contains(path) && Catch::Contains("malformed"));
}
