#include "propagation/propagation_store.hpp"

#include <chrono>

namespace nswatch {

namespace {

int64_t unix_ms(PropagationTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS propagation_runs (
    id INTEGER PRIMARY KEY,
    zone TEXT NOT NULL,
    serial INTEGER,             -- NULL: no newer serial was ever seen
    trigger TEXT NOT NULL,      -- notify | poll
    source TEXT NOT NULL,       -- NOTIFY sender, '' for poll
    started_ms INTEGER NOT NULL,
    ended_ms INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    end_reason TEXT NOT NULL    -- complete | deadline | superseded | stopped
);
CREATE INDEX IF NOT EXISTS propagation_runs_zone ON propagation_runs (zone, started_ms);
CREATE TABLE IF NOT EXISTS propagation_addresses (
    run_id INTEGER NOT NULL REFERENCES propagation_runs (id),
    provider TEXT NOT NULL,
    vantage TEXT NOT NULL,
    nameserver TEXT NOT NULL,
    address TEXT NOT NULL,
    ms INTEGER,                 -- ms from start to serving; NULL: not before the run ended
    last_old_ms INTEGER,        -- last probe still without it: the true time lies in between
    probes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS propagation_addresses_run ON propagation_addresses (run_id);
)sql";

}  // namespace

PropagationStore::PropagationStore(const std::string& path, bool create) : db_(path, create) {
    sqlite3_busy_timeout(db_.handle(), 5000);
    if (create) db_.exec(kSchema);
}

void PropagationStore::record(const PropagationRecord& run) {
    Transaction tx(db_);
    auto ins = db_.prepare(
        "INSERT INTO propagation_runs (zone, serial, trigger, source, started_ms, ended_ms, "
        "complete, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, run.zone);
    if (run.serial) {
        ins.bind(2, static_cast<int64_t>(*run.serial));
    } else {
        ins.bind_null(2);
    }
    ins.bind(3, run.trigger).bind(4, run.source).bind(5, unix_ms(run.started));
    ins.bind(6, unix_ms(run.ended)).bind(7, int64_t{run.complete ? 1 : 0}).bind(8, run.end_reason);
    ins.run();
    const int64_t id = sqlite3_last_insert_rowid(db_.handle());
    auto addr = db_.prepare(
        "INSERT INTO propagation_addresses (run_id, provider, vantage, nameserver, address, ms, "
        "last_old_ms, probes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& a : run.addresses) {
        addr.bind(1, id).bind(2, a.target.provider).bind(3, a.target.vantage);
        addr.bind(4, a.target.nameserver).bind(5, a.target.address);
        if (a.served) {
            addr.bind(6, unix_ms(*a.served) - unix_ms(run.started));
        } else {
            addr.bind_null(6);
        }
        if (a.last_old) {
            addr.bind(7, unix_ms(*a.last_old) - unix_ms(run.started));
        } else {
            addr.bind_null(7);
        }
        addr.bind(8, int64_t{a.probes});
        addr.run();
    }
    tx.commit();
}

std::vector<ProviderLastPropagation> PropagationStore::last_per_provider() {
    // The newest run per zone that probed the provider; the provider's time is its slowest
    // address, NULL when any address never served the serial.
    auto q = db_.prepare(R"sql(
        SELECT r.zone, a.provider, a.vantage, r.serial, r.trigger, r.started_ms, r.end_reason,
               CASE WHEN count(a.ms) = count(*) THEN max(a.ms) END,
               min(CASE WHEN a.ms IS NULL THEN a.address END)
        FROM propagation_addresses a JOIN propagation_runs r ON r.id = a.run_id
        WHERE r.id = (SELECT r2.id FROM propagation_runs r2
                      JOIN propagation_addresses a2 ON a2.run_id = r2.id
                      WHERE r2.zone = r.zone AND a2.provider = a.provider
                        AND a2.vantage = a.vantage
                      ORDER BY r2.started_ms DESC, r2.id DESC LIMIT 1)
        GROUP BY r.zone, a.provider, a.vantage
        ORDER BY r.zone, a.provider, a.vantage)sql");
    std::vector<ProviderLastPropagation> out;
    while (q.step()) {
        ProviderLastPropagation p;
        p.zone = q.column_text(0);
        p.provider = q.column_text(1);
        p.vantage = q.column_text(2);
        if (!q.column_is_null(3)) p.serial = static_cast<uint32_t>(q.column_int(3));
        p.trigger = q.column_text(4);
        p.started_ms = q.column_int(5);
        p.end_reason = q.column_text(6);
        if (!q.column_is_null(7)) p.seconds = static_cast<double>(q.column_int(7)) / 1000.0;
        if (!q.column_is_null(8)) p.laggard = q.column_text(8);
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace nswatch
