// The "recent answer changes" part of `nswatch status --db`, from the answer_changes table
// (storage/answer_change_store.hpp). Databases written before it existed have none.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

namespace nswatch {

/// At most this many changes are shown, newest first.
inline constexpr int kAnswerChangesShown = 20;

/// One line per change since `since_ms` (Unix ms); nothing when there is none.
void print_answer_changes(const std::string& db, int64_t since_ms, std::ostream& out);
/// The same as JSON (an array; empty when there are none).
nlohmann::json answer_changes_json(const std::string& db, int64_t since_ms);

}  // namespace nswatch
