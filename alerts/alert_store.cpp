#include "alerts/alert_store.hpp"

#include <nlohmann/json.hpp>

namespace nswatch {

namespace {

int64_t ms(WallTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
WallTime from_ms(int64_t v) {
    return WallTime{} + std::chrono::milliseconds(v);
}

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS alert_state(
  fingerprint TEXT PRIMARY KEY, rule TEXT NOT NULL, labels TEXT NOT NULL, severity TEXT NOT NULL,
  summary TEXT NOT NULL, status TEXT NOT NULL, active_since INTEGER NOT NULL,
  firing_since INTEGER NOT NULL, last_active INTEGER NOT NULL, last_notified INTEGER NOT NULL,
  notified INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox(
  id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, payload TEXT NOT NULL,
  created INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL,
  delivered INTEGER, given_up INTEGER, last_error TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt) WHERE delivered IS NULL AND given_up IS NULL;
CREATE TABLE IF NOT EXISTS serial_first_seen(
  zone TEXT NOT NULL, serial INTEGER NOT NULL, first_seen INTEGER NOT NULL,
  PRIMARY KEY(zone, serial));
CREATE TABLE IF NOT EXISTS silences(
  id INTEGER PRIMARY KEY AUTOINCREMENT, matchers TEXT NOT NULL, comment TEXT NOT NULL,
  created INTEGER NOT NULL, expires INTEGER NOT NULL);
)sql";

}  // namespace

AlertStore::AlertStore(const std::string& path) : db_(path, true) {
    db_.exec("PRAGMA busy_timeout=5000");
    db_.query_text("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=NORMAL");
    Transaction tx(db_);
    db_.exec(kSchema);
    tx.commit();
}

std::vector<Alert> AlertStore::load_alerts() {
    std::vector<Alert> out;
    Statement s = db_.prepare(
        "SELECT fingerprint, rule, labels, severity, summary, status, active_since, firing_since, "
        "last_active, last_notified, notified FROM alert_state ORDER BY fingerprint");
    while (s.step()) {
        Alert a;
        a.fingerprint = s.column_text(0);
        a.rule = s.column_text(1);
        a.labels = nlohmann::json::parse(s.column_text(2), nullptr, false)
                       .get<std::map<std::string, std::string>>();
        a.severity = severity_from_string(s.column_text(3)).value_or(AlertSeverity::warning);
        a.summary = s.column_text(4);
        a.status = s.column_text(5) == "firing" ? AlertStatus::firing : AlertStatus::pending;
        a.active_since = from_ms(s.column_int(6));
        a.firing_since = from_ms(s.column_int(7));
        a.last_active = from_ms(s.column_int(8));
        a.last_notified = from_ms(s.column_int(9));
        a.notified = s.column_int(10) != 0;
        out.push_back(std::move(a));
    }
    return out;
}

SerialMemory AlertStore::load_serial_memory() {
    SerialMemory out;
    Statement s = db_.prepare("SELECT zone, serial, first_seen FROM serial_first_seen");
    while (s.step()) {
        out[s.column_text(0)][static_cast<uint32_t>(s.column_int(1))] = from_ms(s.column_int(2));
    }
    return out;
}

void AlertStore::commit(const std::map<std::string, Alert>& alerts,
                        const std::vector<OutboxItem>& items, WallTime now,
                        const SerialMemory& serial_changes) {
    Transaction tx(db_);
    if (!serial_changes.empty()) {
        Statement del = db_.prepare("DELETE FROM serial_first_seen WHERE zone = ?");
        Statement put = db_.prepare("INSERT INTO serial_first_seen VALUES(?,?,?)");
        for (const auto& [zone, serials] : serial_changes) {
            del.bind(1, zone);
            del.step();
            del.reset();
            for (const auto& [serial, at] : serials) {
                put.bind(1, zone).bind(2, static_cast<int64_t>(serial)).bind(3, ms(at));
                put.step();
                put.reset();
            }
        }
    }
    db_.exec("DELETE FROM alert_state");
    Statement ins = db_.prepare("INSERT INTO alert_state VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& [fp, a] : alerts) {
        ins.bind(1, fp)
            .bind(2, a.rule)
            .bind(3, nlohmann::json(a.labels).dump())
            .bind(4, to_string(a.severity))
            .bind(5, a.summary)
            .bind(6, to_string(a.status))
            .bind(7, ms(a.active_since))
            .bind(8, ms(a.firing_since))
            .bind(9, ms(a.last_active))
            .bind(10, ms(a.last_notified))
            .bind(11, int64_t{a.notified});
        ins.run();
    }
    Statement out =
        db_.prepare("INSERT INTO outbox(channel, payload, created, next_attempt) VALUES(?,?,?,?)");
    for (const auto& item : items) {
        out.bind(1, item.channel).bind(2, item.payload).bind(3, ms(now)).bind(4, ms(now));
        out.run();
    }
    tx.commit();
}

std::vector<OutboxRow> AlertStore::pending(size_t limit) {
    Statement s = db_.prepare(
        "SELECT id, channel, payload, created, attempts, next_attempt FROM outbox "
        "WHERE delivered IS NULL AND given_up IS NULL ORDER BY id LIMIT ?");
    s.bind(1, static_cast<int64_t>(limit));
    std::vector<OutboxRow> out;
    while (s.step()) {
        out.push_back({s.column_int(0), s.column_text(1), s.column_text(2),
                       from_ms(s.column_int(3)), static_cast<int>(s.column_int(4)),
                       from_ms(s.column_int(5))});
    }
    return out;
}

std::vector<OutboxRow> AlertStore::pending_for(const std::string& channel, size_t limit) {
    Statement s = db_.prepare(
        "SELECT id, channel, payload, created, attempts, next_attempt FROM outbox "
        "WHERE delivered IS NULL AND given_up IS NULL AND channel = ? ORDER BY id LIMIT ?");
    s.bind(1, channel).bind(2, static_cast<int64_t>(limit));
    std::vector<OutboxRow> out;
    while (s.step()) {
        out.push_back({s.column_int(0), s.column_text(1), s.column_text(2),
                       from_ms(s.column_int(3)), static_cast<int>(s.column_int(4)),
                       from_ms(s.column_int(5))});
    }
    return out;
}

std::vector<std::string> AlertStore::pending_channels() {
    Statement s = db_.prepare(
        "SELECT DISTINCT channel FROM outbox WHERE delivered IS NULL AND given_up IS NULL "
        "ORDER BY channel");
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.column_text(0));
    return out;
}

void AlertStore::mark_delivered(int64_t id, WallTime now) {
    db_.prepare("UPDATE outbox SET delivered = ?, attempts = attempts + 1 WHERE id = ?")
        .bind(1, ms(now))
        .bind(2, id)
        .run();
}

void AlertStore::mark_retry(int64_t id, int attempts, WallTime next, const std::string& error) {
    db_.prepare("UPDATE outbox SET attempts = ?, next_attempt = ?, last_error = ? WHERE id = ?")
        .bind(1, int64_t{attempts})
        .bind(2, ms(next))
        .bind(3, error)
        .bind(4, id)
        .run();
}

void AlertStore::mark_given_up(int64_t id, WallTime now, const std::string& error) {
    db_.prepare(
           "UPDATE outbox SET given_up = ?, attempts = attempts + 1, last_error = ? WHERE id = ?")
        .bind(1, ms(now))
        .bind(2, error)
        .bind(3, id)
        .run();
}

OutboxCounts AlertStore::counts() {
    OutboxCounts c;
    c.pending = db_.query_int(
                       "SELECT count(*) FROM outbox WHERE delivered IS NULL AND given_up "
                       "IS NULL")
                    .value_or(0);
    c.delivered =
        db_.query_int("SELECT count(*) FROM outbox WHERE delivered IS NOT NULL").value_or(0);
    c.given_up =
        db_.query_int("SELECT count(*) FROM outbox WHERE given_up IS NOT NULL").value_or(0);
    c.last_error = db_.query_text(
        "SELECT coalesce((SELECT channel || ': ' || last_error FROM outbox WHERE last_error IS NOT "
        "NULL AND delivered IS NULL ORDER BY id DESC LIMIT 1), '')");
    return c;
}

std::optional<WallTime> AlertStore::next_due() {
    auto v = db_.query_int(
        "SELECT min(next_attempt) FROM outbox WHERE delivered IS NULL AND given_up IS NULL");
    if (!v) return std::nullopt;
    return from_ms(*v);
}

std::optional<WallTime> AlertStore::next_due_for(const std::string& channel) {
    Statement s = db_.prepare(
        "SELECT min(next_attempt) FROM outbox WHERE delivered IS NULL AND given_up IS NULL AND "
        "channel = ?");
    s.bind(1, channel);
    if (!s.step() || s.column_is_null(0)) return std::nullopt;
    return from_ms(s.column_int(0));
}

int64_t AlertStore::add_silence(const Silence& s) {
    db_.prepare("INSERT INTO silences(matchers, comment, created, expires) VALUES(?,?,?,?)")
        .bind(1, nlohmann::json(s.matchers).dump())
        .bind(2, s.comment)
        .bind(3, ms(s.created))
        .bind(4, ms(s.expires))
        .run();
    return sqlite3_last_insert_rowid(db_.handle());
}

std::vector<Silence> AlertStore::silences(WallTime now, bool include_expired) {
    Statement s = db_.prepare(
        "SELECT id, matchers, comment, created, expires FROM silences WHERE expires > ? OR ? "
        "ORDER BY id");
    s.bind(1, ms(now)).bind(2, int64_t{include_expired});
    std::vector<Silence> out;
    while (s.step()) {
        Silence x;
        x.id = s.column_int(0);
        x.matchers = nlohmann::json::parse(s.column_text(1), nullptr, false)
                         .get<std::map<std::string, std::string>>();
        x.comment = s.column_text(2);
        x.created = from_ms(s.column_int(3));
        x.expires = from_ms(s.column_int(4));
        out.push_back(std::move(x));
    }
    return out;
}

bool AlertStore::remove_silence(int64_t id) {
    db_.prepare("DELETE FROM silences WHERE id = ?").bind(1, id).run();
    return sqlite3_changes(db_.handle()) > 0;
}

}  // namespace nswatch
