#include "zonediff/diff_json.hpp"

#include "dns/rr_types.hpp"

namespace nswatch {

nlohmann::json zone_diff_json(const std::vector<ZoneDiffResult>& results) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : results) {
        const int64_t finished =
            std::chrono::duration_cast<std::chrono::milliseconds>(r.finished.time_since_epoch())
                .count();
        for (const auto& p : r.pairs) {
            std::string first;
            if (!p.differences.empty()) {
                const auto& d = p.differences.front();
                first = d.owner + " " + rr_type_name(d.type) + " " + to_string(d.kind);
            }
            out.push_back(
                {{"zone", r.zone},
                 {"provider_a", p.provider_a},
                 {"provider_b", p.provider_b},
                 {"serial_a", p.serial_a ? nlohmann::json(*p.serial_a) : nlohmann::json()},
                 {"serial_b", p.serial_b ? nlohmann::json(*p.serial_b) : nlohmann::json()},
                 {"compared", p.compared},
                 {"differing_rrsets", p.rrsets},
                 {"differing_records", p.records},
                 {"first", first},
                 {"error", p.error},
                 {"finished_unix_ms", finished}});
        }
    }
    return out;
}

}  // namespace nswatch
