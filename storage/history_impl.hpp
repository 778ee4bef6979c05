// HistoryStore's insides, shared by history.cpp (open, insert), rollup.cpp (rollup, retention)
// and summary.cpp (summarize). Not for use outside storage/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

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
    // Dictionary ids; cleared when a transaction that may have added some rolls back.
    std::unordered_map<std::string, int64_t> zone_ids;
    std::unordered_map<std::string, int64_t> vantage_ids;
    /// A target as ids, not strings: its zone and vantage rows, and nameserver, address and
    /// provider numbered in part_ids (in memory only). A string key per target was ~120 bytes.
    struct TargetKey {
        int64_t zone = 0, vantage = 0;
        uint32_t nameserver = 0, address = 0, provider = 0;
        uint16_t port = 0;
        Family family = Family::ipv4;
        Transport transport = Transport::udp;
        bool operator==(const TargetKey&) const = default;
    };
    struct TargetKeyHash {
        size_t operator()(const TargetKey& k) const noexcept;
    };
    std::unordered_map<TargetKey, int64_t, TargetKeyHash> target_ids;
    /// Nameserver, address and provider names, numbered for TargetKey (few: they repeat across
    /// zones). Never cleared: the numbers are not rows.
    std::unordered_map<std::string, uint32_t> part_ids;

    int64_t target_id(const Target& t);
    uint32_t part_id(const std::string& name);
    int64_t name_id(std::string_view table, std::unordered_map<std::string, int64_t>& cache,
                    const std::string& name);
    void forget_ids();

    std::optional<int64_t> state(std::string_view key);
    void set(std::string_view key, int64_t value);
};

}  // namespace nswatch
