#include "resolver/resolution_history.hpp"

#include <sqlite3.h>

namespace nswatch {

namespace {

constexpr std::string_view kCreate = R"(
CREATE TABLE IF NOT EXISTS resolution_probes (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,          -- when sent, ms since the epoch
    zone TEXT NOT NULL,
    resolver TEXT NOT NULL,
    vantage TEXT NOT NULL,
    path TEXT NOT NULL,              -- cached | uncached
    name TEXT NOT NULL,
    type INTEGER NOT NULL,
    outcome TEXT NOT NULL,           -- resolver/resolution.hpp ResolutionOutcome
    rcode INTEGER NOT NULL,          -- -1 without a reply
    ad INTEGER NOT NULL,
    micros INTEGER NOT NULL,         -- resolution time in microseconds
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resolution_probes_at ON resolution_probes(at_ms);
)";

int64_t ms_of(ResolutionTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

ResolutionOutcome outcome_of(std::string_view s) {
    for (int i = 0; i <= static_cast<int>(ResolutionOutcome::error); ++i) {
        const auto o = static_cast<ResolutionOutcome>(i);
        if (to_string(o) == s) return o;
    }
    return ResolutionOutcome::error;
}

}  // namespace

ResolutionHistory::ResolutionHistory(const std::string& path, std::chrono::milliseconds retention,
                                     bool create)
    : db_(path, create), retention_(retention) {
    sqlite3_busy_timeout(db_.handle(), 5000);
    // The daemon's HistoryStore has put the file in WAL mode; a file of our own gets it too.
    db_.query_text("PRAGMA journal_mode=WAL");
    db_.exec(kCreate);
    insert_ = db_.prepare(
        "INSERT INTO resolution_probes (at_ms, zone, resolver, vantage, path, name, type, outcome,"
        " rcode, ad, micros, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    expire_ = db_.prepare("DELETE FROM resolution_probes WHERE at_ms < ?1");
}

void ResolutionHistory::write(const std::vector<ResolutionSample>& samples) {
    Transaction tx(db_);
    for (const auto& s : samples) {
        insert_.bind(1, ms_of(s.at))
            .bind(2, s.zone)
            .bind(3, s.resolver)
            .bind(4, s.vantage)
            .bind(5, to_string(s.path))
            .bind(6, s.name)
            .bind(7, static_cast<int64_t>(s.type))
            .bind(8, to_string(s.outcome))
            .bind(9, static_cast<int64_t>(s.rcode))
            .bind(10, static_cast<int64_t>(s.ad ? 1 : 0))
            .bind(11, static_cast<int64_t>(s.seconds * 1e6))
            .bind(12, s.detail);
        insert_.run();
    }
    expire_.bind(1, ms_of(std::chrono::system_clock::now() - retention_));
    expire_.run();
    tx.commit();
}

std::vector<ResolutionSample> ResolutionHistory::load(ResolutionTime since, ResolutionTime until) {
    Statement q = db_.prepare(
        "SELECT at_ms, zone, resolver, vantage, path, name, type, outcome, rcode, ad, micros,"
        " detail FROM resolution_probes WHERE at_ms >= ?1 AND at_ms < ?2 ORDER BY at_ms, id");
    q.bind(1, ms_of(since)).bind(2, ms_of(until));
    std::vector<ResolutionSample> out;
    while (q.step()) {
        ResolutionSample s;
        s.at = ResolutionTime{} + std::chrono::milliseconds(q.column_int(0));
        s.zone = q.column_text(1);
        s.resolver = q.column_text(2);
        s.vantage = q.column_text(3);
        s.path = q.column_text(4) == "cached" ? ResolutionPath::cached : ResolutionPath::uncached;
        s.name = q.column_text(5);
        s.type = static_cast<uint16_t>(q.column_int(6));
        s.outcome = outcome_of(q.column_text(7));
        s.rcode = static_cast<int>(q.column_int(8));
        s.ad = q.column_int(9) != 0;
        s.seconds = static_cast<double>(q.column_int(10)) / 1e6;
        s.detail = q.column_text(11);
        out.push_back(std::move(s));
    }
    return out;
}

bool ResolutionHistory::has_table(Database& db) {
    return db.query_int(
                 "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                 "name='resolution_probes'")
               .value_or(0) > 0;
}

}  // namespace nswatch
