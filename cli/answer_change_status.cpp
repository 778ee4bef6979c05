#include "cli/answer_change_status.hpp"

#include <ctime>
#include <iomanip>
#include <sstream>

#include "monitor/utc_time.hpp"
#include "storage/answer_change_store.hpp"

namespace nswatch {

namespace {

std::vector<StoredAnswerChange> load(const std::string& db, int64_t since_ms) {
    try {
        AnswerChangeStore store(db, false);
        return store.recent(since_ms, kAnswerChangesShown);
    } catch (const std::exception&) {
        return {};  // no answer_changes table: written before it existed, or nothing changed
    }
}

std::string utc(int64_t ms) {
    return utc_string(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)),
                      "%Y-%m-%d %H:%M:%S UTC");
}

}  // namespace

void print_answer_changes(const std::string& db, int64_t since_ms, std::ostream& out) {
    const auto rows = load(db, since_ms);
    if (rows.empty()) return;
    out << "recent answer changes (newest first, at most " << kAnswerChangesShown << ")\n";
    for (const auto& r : rows) {
        out << "  " << utc(r.at_ms) << "  " << r.zone << "  " << describe(r.change) << "\n";
    }
    out << "\n";
}

nlohmann::json answer_changes_json(const std::string& db, int64_t since_ms) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : load(db, since_ms)) {
        j.push_back({{"at_unix_ms", r.at_ms},
                     {"zone", r.zone},
                     {"vantage", r.vantage},
                     {"name", r.change.name},
                     {"type", r.change.type},
                     {"provider", r.change.provider},
                     {"rcode_before", r.change.rcode_before},
                     {"rcode_after", r.change.rcode_after},
                     {"before", r.change.before},
                     {"after", r.change.after},
                     {"summary", describe(r.change)}});
    }
    return j;
}

}  // namespace nswatch
