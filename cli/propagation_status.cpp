#include "cli/propagation_status.hpp"

#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "cli/table.hpp"
#include "monitor/utc_time.hpp"
#include "propagation/propagation_store.hpp"

namespace nswatch {

namespace {

std::vector<ProviderLastPropagation> load(const std::string& db) {
    try {
        PropagationStore store(db, false);
        return store.last_per_provider();
    } catch (const std::exception&) {
        return {};  // no propagation tables: a daemon that never ran a propagation
    }
}

std::string utc(int64_t ms) {
    return utc_string(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)),
                      "%Y-%m-%d %H:%M:%S UTC");
}

}  // namespace

void print_propagation(const std::string& db, std::ostream& out) {
    const auto rows = load(db);
    if (rows.empty()) return;
    out << "last propagation per provider\n";
    TextTable table({"ZONE", "PROVIDER", "VANTAGE", "SERIAL", "TRIGGER", "STARTED", "SECONDS"});
    for (const auto& r : rows) {
        std::ostringstream secs;
        if (r.seconds) {
            secs << std::fixed << std::setprecision(3) << *r.seconds;
        } else {
            secs << "incomplete (" << r.end_reason
                 << (r.laggard.empty() ? "" : ", " + r.laggard + " lagging") << ")";
        }
        table.add_row({{r.zone},
                       {r.provider},
                       {r.vantage},
                       {r.serial ? std::to_string(*r.serial) : "-"},
                       {r.trigger},
                       {utc(r.started_ms)},
                       {secs.str()}});
    }
    table.print(out);
    out << "\n";
}

nlohmann::json propagation_json(const std::string& db) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : load(db)) {
        j.push_back({{"zone", r.zone},
                     {"provider", r.provider},
                     {"vantage", r.vantage},
                     {"serial", r.serial ? nlohmann::json(*r.serial) : nlohmann::json()},
                     {"trigger", r.trigger},
                     {"started_unix_ms", r.started_ms},
                     {"seconds", r.seconds ? nlohmann::json(*r.seconds) : nlohmann::json()},
                     {"complete", r.seconds.has_value()},
                     {"end_reason", r.end_reason},
                     {"lagging_address", r.laggard}});
    }
    return j;
}

}  // namespace nswatch
