#include "storage/history.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>

#include "storage/history_impl.hpp"
#include "storage/schema.hpp"

namespace nswatch {

int64_t to_epoch_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_epoch_ms(int64_t ms) {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

namespace {

int flags_of(const ProbeResult& r) {
    return (r.aa ? kFlagAA : 0) | (r.tc ? kFlagTC : 0) | (r.ra ? kFlagRA : 0) |
           (r.ad ? kFlagAD : 0);
}

HistoryRow row_without_target(const ProbeResult& r) {
    HistoryRow row;
    row.ts_ms = to_epoch_ms(r.sent_wall);
    row.qtype = r.query.type;
    row.outcome = r.outcome;
    row.rcode = r.rcode;
    row.rtt_us = std::chrono::duration_cast<std::chrono::microseconds>(r.rtt).count();
    if (r.soa) row.serial = r.soa->serial;
    row.flags = flags_of(r);
    row.reply_size = static_cast<uint32_t>(r.reply_size);
    return row;
}

// Touches the root and the right edge of every table, where a file cut short loses its pages
// first. Much cheaper than PRAGMA quick_check, which reads the whole file.
void probe_tables(Database& db) {
    for (const char* sql :
         {"SELECT max(id) FROM zones", "SELECT max(id) FROM vantages",
          "SELECT max(id) FROM targets", "SELECT max(id) FROM probes",
          "SELECT max(ts_ms) FROM probes", "SELECT max(bucket_ms) FROM rollup_minute",
          "SELECT max(bucket_ms) FROM rollup_hour", "SELECT count(*) FROM rollup_state"}) {
        db.query_int(sql);
    }
}

}  // namespace

HistoryRow HistoryRow::from(const ProbeResult& r) {
    HistoryRow row = row_without_target(r);
    row.target = r.target;
    return row;
}

HistoryRow HistoryRow::from(ProbeResult&& r) {
    HistoryRow row = row_without_target(r);
    row.target = std::move(r.target);
    return row;
}

HistoryStore::Impl::Impl(std::string path, HistoryOptions o)
    : db(std::move(path), o.create_if_missing), options(o) {
    open_schema(db, static_cast<int>(options.busy_timeout.count()));
    // 512 KiB of page cache instead of SQLite's 2 MB: writes append at the right edge of probes
    // and its ts index, rollups and retention walk ranges in order, so few pages are hot; the
    // rest comes back from the OS's file cache.
    db.exec("PRAGMA cache_size=-512");
    probe_tables(db);
    insert_probe = db.prepare(
        "INSERT INTO probes (ts_ms, target_id, qtype, outcome, rcode, rtt_us, serial, flags, "
        "reply_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    find_target = db.prepare(
        "SELECT id FROM targets WHERE zone_id = ? AND vantage_id = ? AND nameserver = ? AND "
        "address = ? AND family = ? AND provider = ? AND transport = ? AND port = ?");
    insert_target = db.prepare(
        "INSERT INTO targets (zone_id, vantage_id, nameserver, address, family, provider, "
        "transport, port) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    get_state = db.prepare("SELECT value FROM rollup_state WHERE key = ?");
    set_state = db.prepare("INSERT OR REPLACE INTO rollup_state (key, value) VALUES (?, ?)");
}

int64_t HistoryStore::Impl::name_id(std::string_view table, std::vector<int64_t>& rows,
                                    uint32_t part, const std::string& name) {
    if (part < rows.size() && rows[part] != 0) return rows[part];
    std::string sql = "INSERT INTO ";
    sql += table;
    sql += " (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = name RETURNING id";
    // Dictionary misses are rare (a new zone or vantage), so preparing here is fine.
    Statement s = db.prepare(sql);
    s.bind(1, name);
    s.step();
    int64_t id = s.column_int(0);
    if (part >= rows.size()) rows.resize(part_ids.size());
    rows[part] = id;
    return id;
}

namespace {

// Spreads every input bit over the low bits, which pick the slot (splitmix64's finaliser).
uint64_t mix(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

size_t HistoryStore::Impl::WhereHash::operator()(const Where& w) const noexcept {
    return static_cast<size_t>(
        mix(mix(uint64_t{w.vantage} << 32 | w.nameserver) ^
            mix(uint64_t{w.address} << 32 | w.provider) ^
            (uint64_t{w.port} << 2 | uint64_t{w.family == Family::ipv6} << 1 |
             uint64_t{w.transport == Transport::tcp})));
}

uint32_t HistoryStore::Impl::part_id(const std::string& name) {
    return part_ids.try_emplace(name, static_cast<uint32_t>(part_ids.size())).first->second;
}

HistoryStore::Impl::TargetSlot* HistoryStore::Impl::find_slot(uint32_t zone, uint32_t where) {
    if (target_ids.empty()) return nullptr;
    const size_t mask = target_ids.size() - 1;
    for (size_t i = mix(uint64_t{zone} << 32 | where) & mask;; i = (i + 1) & mask) {
        TargetSlot& s = target_ids[i];
        if (s.id == 0 || (s.zone == zone && s.where == where)) return &s;
    }
}

void HistoryStore::Impl::cache_target(uint32_t zone, uint32_t where, int64_t id) {
    if (id <= 0 || id > int64_t{UINT32_MAX}) return;
    if ((target_count + 1) * 4 > target_ids.size() * 3) {
        std::vector<TargetSlot> old(std::max<size_t>(1024, target_ids.size() * 2));
        old.swap(target_ids);
        for (const TargetSlot& s : old) {
            if (s.id != 0) *find_slot(s.zone, s.where) = s;
        }
    }
    TargetSlot* slot = find_slot(zone, where);
    if (slot->id == 0) ++target_count;
    *slot = {zone, where, static_cast<uint32_t>(id)};
}

int64_t HistoryStore::Impl::target_id(const Target& t) {
    const uint32_t zone_part = part_id(t.zone);
    const uint32_t vantage_part = part_id(t.vantage);
    const Where w{vantage_part,
                  part_id(t.nameserver),
                  part_id(t.address),
                  part_id(t.provider),
                  t.port,
                  t.family,
                  t.transport};
    const uint32_t where =
        wheres.try_emplace(w, static_cast<uint32_t>(wheres.size())).first->second;
    if (const TargetSlot* s = find_slot(zone_part, where); s != nullptr && s->id != 0) {
        return s->id;
    }
    const int64_t zone = name_id("zones", zone_rows, zone_part, t.zone);
    const int64_t vantage = name_id("vantages", vantage_rows, vantage_part, t.vantage);
    auto bind_all = [&](Statement& s) {
        s.bind(1, zone).bind(2, vantage).bind(3, t.nameserver).bind(4, t.address);
        s.bind(5, t.family == Family::ipv4 ? 4 : 6).bind(6, t.provider);
        s.bind(7, t.transport == Transport::udp ? 0 : 1).bind(8, t.port);
    };
    bind_all(find_target);
    int64_t id = 0;
    if (find_target.step()) {
        id = find_target.column_int(0);
        find_target.reset();
    } else {
        find_target.reset();
        bind_all(insert_target);
        insert_target.run();
        id = sqlite3_last_insert_rowid(db.handle());
    }
    cache_target(zone_part, where, id);
    return id;
}

void HistoryStore::Impl::forget_ids() {
    std::fill(zone_rows.begin(), zone_rows.end(), 0);
    std::fill(vantage_rows.begin(), vantage_rows.end(), 0);
    target_ids.clear();
    target_count = 0;
}

std::optional<int64_t> HistoryStore::Impl::state(std::string_view key) {
    get_state.bind(1, key);
    std::optional<int64_t> value;
    if (get_state.step()) value = get_state.column_int(0);
    get_state.reset();
    return value;
}

void HistoryStore::Impl::set(std::string_view key, int64_t value) {
    set_state.bind(1, key).bind(2, value);
    set_state.run();
}

HistoryStore::HistoryStore(std::string path, HistoryOptions options)
    : impl_(std::make_unique<Impl>(std::move(path), options)) {}

HistoryStore::~HistoryStore() = default;

const std::string& HistoryStore::path() const {
    return impl_->db.path();
}

Database& HistoryStore::database() {
    return impl_->db;
}

void HistoryStore::insert_batch(const std::vector<ProbeResult>& results) {
    std::vector<HistoryRow> rows;
    rows.reserve(results.size());
    for (const ProbeResult& r : results) rows.push_back(HistoryRow::from(r));
    insert_rows(rows);
}

void HistoryStore::insert_rows(const std::vector<HistoryRow>& rows) {
    if (rows.empty()) return;
    Impl& d = *impl_;
    try {
        Transaction tx(d.db);
        for (const HistoryRow& row : rows) {
            Statement& s = d.insert_probe;
            s.bind(1, row.ts_ms).bind(2, d.target_id(row.target)).bind(3, row.qtype);
            s.bind(4, outcome_code(row.outcome)).bind(5, row.rcode).bind(6, row.rtt_us);
            if (row.serial) {
                s.bind(7, static_cast<int64_t>(*row.serial));
            } else {
                s.bind_null(7);
            }
            s.bind(8, row.flags).bind(9, static_cast<int64_t>(row.reply_size));
            s.run();
        }
        tx.commit();
    } catch (...) {
        // The rollback may have taken new dictionary rows with it: their cached ids are void.
        d.forget_ids();
        throw;
    }
}

std::string HistoryStore::integrity_check() {
    Statement s = impl_->db.prepare("PRAGMA integrity_check");
    std::string out;
    while (s.step()) {
        if (!out.empty()) out += "\n";
        out += s.column_text(0);
    }
    return out;
}

}  // namespace nswatch
