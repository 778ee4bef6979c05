// HistoryStore's insides, shared by history.cpp (open, insert), rollup.cpp (rollup, retention)
// and summary.cpp (summarize). Not for use outside storage/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/history.hpp"
#include "storage/sqlite.hpp"

namespace nswatch {

inline constexpr int64_t kMinuteMs = 60'000;
inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kDayMs = 24 * kHourMs;

inline int64_t floor_to(int64_t ms, int64_t step) {
    int64_t r = ms % step;
    return r < 0 ? ms - r - step : ms - r;
}
inline int64_t ceil_to(int64_t ms, int64_t step) {
    int64_t f = floor_to(ms, step);
    return f == ms ? ms : f + step;
}

struct HistoryStore::Impl {
    Impl(std::string path, HistoryOptions o);

    Database db;
    HistoryOptions options;
    Statement insert_probe;
    Statement find_target;
    Statement insert_target;
    Statement get_state;
    Statement set_state;
    // Names and targets as numbers, so that a row's target id is found without a query.
    // Names (zones, vantages, nameservers, addresses, providers) are numbered in memory only,
    // in part_ids, never cleared: the numbers are not rows. A zone's or vantage's row id, and a
    // target's, are cached, and forgotten when a transaction that may have added them rolls back.
    std::unordered_map<std::string, uint32_t> part_ids;
    std::vector<int64_t> zone_rows;     ///< by part number: zones.id, 0 when not known
    std::vector<int64_t> vantage_rows;  ///< by part number: vantages.id, 0 when not known
    /// What a target has besides its zone: few (they repeat across zones), numbered in wheres.
    struct Where {
        uint32_t vantage = 0, nameserver = 0, address = 0, provider = 0;
        uint16_t port = 0;
        Family family = Family::ipv4;
        Transport transport = Transport::udp;
        bool operator==(const Where&) const = default;
    };
    struct WhereHash {
        size_t operator()(const Where& w) const noexcept;
    };
    std::unordered_map<Where, uint32_t, WhereHash> wheres;
    /// targets.id by zone and Where number: an open-addressing table of 12-byte slots (a
    /// std::unordered_map node per target would be ~64 bytes). Ids that do not fit 32 bits (never,
    /// unless the table was edited by hand) are not cached: they are looked up every time.
    struct TargetSlot {
        uint32_t zone = 0, where = 0;
        uint32_t id = 0;  ///< 0: free slot
    };
    std::vector<TargetSlot> target_ids;  ///< a power of two long, at most 3/4 used
    size_t target_count = 0;

    int64_t target_id(const Target& t);
    uint32_t part_id(const std::string& name);
    int64_t name_id(std::string_view table, std::vector<int64_t>& rows, uint32_t part,
                    const std::string& name);
    TargetSlot* find_slot(uint32_t zone, uint32_t where);
    void cache_target(uint32_t zone, uint32_t where, int64_t id);
    void forget_ids();

    std::optional<int64_t> state(std::string_view key);
    void set(std::string_view key, int64_t value);
};

}  // namespace nswatch
