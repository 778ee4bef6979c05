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
    std::unordered_map<std::string, int64_t> target_ids;

    int64_t target_id(const Target& t);
    int64_t name_id(std::string_view table, std::unordered_map<std::string, int64_t>& cache,
                    const std::string& name);
    void forget_ids();

    std::optional<int64_t> state(std::string_view key);
    void set(std::string_view key, int64_t value);
};

}  // namespace nswatch
