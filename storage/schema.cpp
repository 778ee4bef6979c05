// Schema v1, and why it looks the way it does:
//
// - Dictionary tables (zones, vantages, targets) turn the six strings of a Target into one small
//   integer per probe row; the writer caches the ids in memory.
// - probes is an ordinary rowid table plus an index on ts_ms, not WITHOUT ROWID on
//   (target_id, ts_ms): rows arrive in time order, so both the table (rowid) and the ts_ms index
//   grow at their right edge (dense pages, cheap inserts), and every query we run is a time range
//   over all targets (rollup of one minute, retention, status over the last hour). A
//   (target_id, ts_ms) key would scatter each batch over the whole tree and is not even unique:
//   several queries to one target can be sent in the same millisecond.
// - Rollups are WITHOUT ROWID keyed (bucket_ms, target_id): the key is unique, written in time
//   order, and read by time range. One column per outcome costs almost nothing for the usual
//   zeros (SQLite stores 0 and 1 in the record header alone) and stays readable from sqlite3 and
//   SQL-speaking dashboards. The latency histogram is a BLOB of varints (storage/codes.hpp).
// - rollup_state holds the rollup watermarks and retention low-water marks, so rollup() and
//   summarize() know which tier holds which time range.
#include "storage/schema.hpp"

#include <string>

namespace nswatch {

namespace {

constexpr std::string_view kV1 = R"sql(
CREATE TABLE zones (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE vantages (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE targets (
    id INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones(id),
    vantage_id INTEGER NOT NULL REFERENCES vantages(id),
    nameserver TEXT NOT NULL,
    address TEXT NOT NULL,
    family INTEGER NOT NULL,      -- 4 or 6
    provider TEXT NOT NULL,
    transport INTEGER NOT NULL,   -- 0 udp, 1 tcp
    port INTEGER NOT NULL DEFAULT 53,
    UNIQUE (zone_id, vantage_id, nameserver, address, family, provider, transport, port)
);
CREATE TABLE probes (
    id INTEGER PRIMARY KEY,
    ts_ms INTEGER NOT NULL,       -- sent, Unix epoch milliseconds
    target_id INTEGER NOT NULL REFERENCES targets(id),
    qtype INTEGER NOT NULL,       -- RR type asked (6 = SOA)
    outcome INTEGER NOT NULL,     -- storage/codes.hpp
    rcode INTEGER NOT NULL,       -- -1 when no reply was parsed
    rtt_us INTEGER NOT NULL,
    serial INTEGER,               -- SOA serial when the answer had one
    flags INTEGER NOT NULL,       -- 1 AA, 2 TC, 4 RA, 8 AD
    reply_size INTEGER NOT NULL
);
CREATE INDEX probes_ts ON probes (ts_ms);
CREATE TABLE rollup_minute (
    bucket_ms INTEGER NOT NULL,   -- bucket start, Unix epoch milliseconds
    target_id INTEGER NOT NULL,
    count INTEGER NOT NULL,
    failures INTEGER NOT NULL,    -- count - n_ok
    n_ok INTEGER NOT NULL, n_timeout INTEGER NOT NULL, n_refused INTEGER NOT NULL,
    n_servfail INTEGER NOT NULL, n_nxdomain INTEGER NOT NULL, n_formerr INTEGER NOT NULL,
    n_not_authoritative INTEGER NOT NULL, n_truncated INTEGER NOT NULL,
    n_id_mismatch INTEGER NOT NULL, n_question_mismatch INTEGER NOT NULL,
    n_malformed INTEGER NOT NULL, n_network_error INTEGER NOT NULL,
    latency BLOB NOT NULL,        -- varint counts per latency bucket, answered probes only
    serial_min INTEGER, serial_max INTEGER,
    serial_last INTEGER,          -- serial of the newest probe in the bucket that had one
    last_ts_ms INTEGER NOT NULL,  -- newest probe in the bucket
    PRIMARY KEY (bucket_ms, target_id)
) WITHOUT ROWID;
CREATE TABLE rollup_hour (
    bucket_ms INTEGER NOT NULL,
    target_id INTEGER NOT NULL,
    count INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    n_ok INTEGER NOT NULL, n_timeout INTEGER NOT NULL, n_refused INTEGER NOT NULL,
    n_servfail INTEGER NOT NULL, n_nxdomain INTEGER NOT NULL, n_formerr INTEGER NOT NULL,
    n_not_authoritative INTEGER NOT NULL, n_truncated INTEGER NOT NULL,
    n_id_mismatch INTEGER NOT NULL, n_question_mismatch INTEGER NOT NULL,
    n_malformed INTEGER NOT NULL, n_network_error INTEGER NOT NULL,
    latency BLOB NOT NULL,
    serial_min INTEGER, serial_max INTEGER, serial_last INTEGER,
    last_ts_ms INTEGER NOT NULL,
    PRIMARY KEY (bucket_ms, target_id)
) WITHOUT ROWID;
CREATE TABLE rollup_state (
    key TEXT PRIMARY KEY,         -- minute_done_ms, hour_done_ms, raw_low_ms, minute_low_ms, hour_low_ms
    value INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

}  // namespace

// v2: a day tier, folded from the hour rollups, so that `status --since 30d` reads 30 rows per
// target instead of 720 (BENCHMARKS.md "status over 30 days"). Existing hours are folded by the
// next rollup (day_done_ms starts at the oldest hour).
constexpr std::string_view kV2 = R"sql(
CREATE TABLE rollup_day (
    bucket_ms INTEGER NOT NULL,   -- UTC midnight, Unix epoch milliseconds
    target_id INTEGER NOT NULL,
    count INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    n_ok INTEGER NOT NULL, n_timeout INTEGER NOT NULL, n_refused INTEGER NOT NULL,
    n_servfail INTEGER NOT NULL, n_nxdomain INTEGER NOT NULL, n_formerr INTEGER NOT NULL,
    n_not_authoritative INTEGER NOT NULL, n_truncated INTEGER NOT NULL,
    n_id_mismatch INTEGER NOT NULL, n_question_mismatch INTEGER NOT NULL,
    n_malformed INTEGER NOT NULL, n_network_error INTEGER NOT NULL,
    latency BLOB NOT NULL,
    serial_min INTEGER, serial_max INTEGER, serial_last INTEGER,
    last_ts_ms INTEGER NOT NULL,
    PRIMARY KEY (bucket_ms, target_id)
) WITHOUT ROWID;
)sql";

// v3: a count for the outcome wrong_owner (code 12) in every rollup tier. Appended at the end of
// the row with a default, so existing rows read as 0 and the older columns keep their places.
constexpr std::string_view kV3 = R"sql(
ALTER TABLE rollup_minute ADD COLUMN n_wrong_owner INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_hour ADD COLUMN n_wrong_owner INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_day ADD COLUMN n_wrong_owner INTEGER NOT NULL DEFAULT 0;
)sql";

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all{{1, kV1}, {2, kV2}, {3, kV3}};
    return all;
}

int current_schema_version() {
    return migrations().back().version;
}

int schema_version(Database& db) {
    return static_cast<int>(db.query_int("PRAGMA user_version").value_or(0));
}

int open_schema(Database& db, int busy_timeout_ms) {
    sqlite3_busy_timeout(db.handle(), busy_timeout_ms);
    // Reading the version is the first real read of the file: a file of garbage fails here with
    // "file is not a database".
    int version = schema_version(db);
    if (version > current_schema_version()) {
        throw StorageError("history database '" + db.path() + "': schema version " +
                               std::to_string(version) + " is newer than this nswatch knows (" +
                               std::to_string(current_schema_version()) + ")",
                           0);
    }
    // WAL lets `nswatch status` read while the daemon writes; NORMAL keeps every committed
    // transaction across a process crash (only power loss can take the last ones back).
    if (db.query_text("PRAGMA journal_mode=WAL") != "wal") {
        throw StorageError("history database '" + db.path() + "': cannot switch to WAL mode", 0);
    }
    db.exec("PRAGMA synchronous=NORMAL");
    int ran = 0;
    for (const Migration& m : migrations()) {
        if (m.version <= version) continue;
        Transaction tx(db);
        db.exec(m.sql);
        db.exec("PRAGMA user_version=" + std::to_string(m.version));
        tx.commit();
        ++ran;
    }
    return ran;
}

}  // namespace nswatch
