#include "storage/answer_change_store.hpp"

namespace nswatch {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS answer_changes (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    zone TEXT NOT NULL,
    vantage TEXT NOT NULL,
    name TEXT NOT NULL,
    type INTEGER NOT NULL,
    provider TEXT NOT NULL,
    rcode_before INTEGER NOT NULL,
    rcode_after INTEGER NOT NULL,
    records_before TEXT NOT NULL,   -- one record per line, sorted, TTL left out
    records_after TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answer_changes_at ON answer_changes (at_ms);
)sql";

std::string join(const std::vector<std::string>& records) {
    std::string out;
    for (const auto& r : records) {
        if (!out.empty()) out += '\n';
        out += r;
    }
    return out;
}

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

}  // namespace

AnswerChangeStore::AnswerChangeStore(const std::string& path, bool create) : db_(path, create) {
    // Written from the probe loop: wait briefly for the history writer, never for long.
    sqlite3_busy_timeout(db_.handle(), 200);
    if (create) db_.exec(kSchema);
}

void AnswerChangeStore::record(const std::string& zone, const std::string& vantage,
                               const std::vector<AnswerChange>& changes,
                               std::chrono::system_clock::time_point at) {
    if (changes.empty()) return;
    const int64_t at_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    Transaction tx(db_);
    auto ins = db_.prepare(
        "INSERT INTO answer_changes (at_ms, zone, vantage, name, type, provider, rcode_before, "
        "rcode_after, records_before, records_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& c : changes) {
        ins.bind(1, at_ms).bind(2, zone).bind(3, vantage).bind(4, c.name);
        ins.bind(5, int64_t{c.type}).bind(6, c.provider).bind(7, int64_t{c.rcode_before});
        ins.bind(8, int64_t{c.rcode_after}).bind(9, join(c.before)).bind(10, join(c.after));
        ins.run();
    }
    tx.commit();
}

std::vector<StoredAnswerChange> AnswerChangeStore::recent(int64_t since_ms, int limit) {
    auto q = db_.prepare(
        "SELECT at_ms, zone, vantage, name, type, provider, rcode_before, rcode_after, "
        "records_before, records_after FROM answer_changes WHERE at_ms >= ? "
        "ORDER BY at_ms DESC, id DESC LIMIT ?");
    q.bind(1, since_ms).bind(2, int64_t{limit});
    std::vector<StoredAnswerChange> out;
    while (q.step()) {
        StoredAnswerChange s;
        s.at_ms = q.column_int(0);
        s.zone = q.column_text(1);
        s.vantage = q.column_text(2);
        s.change.name = q.column_text(3);
        s.change.type = static_cast<uint16_t>(q.column_int(4));
        s.change.provider = q.column_text(5);
        s.change.rcode_before = static_cast<int>(q.column_int(6));
        s.change.rcode_after = static_cast<int>(q.column_int(7));
        s.change.before = split(q.column_text(8));
        s.change.after = split(q.column_text(9));
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace nswatch
