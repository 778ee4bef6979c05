#include "zonediff/reference_json.hpp"

#include "dns/rr_types.hpp"

namespace nswatch {

nlohmann::json zone_drift_json(const std::vector<ZoneDriftResult>& results) {
    auto rows = nlohmann::json::array();
    for (const auto& z : results) {
        if (!z.error.empty()) {
            rows.push_back({{"zone", z.zone},
                            {"provider", ""},
                            {"record", ""},
                            {"address", ""},
                            {"kind", "no_reference"},
                            {"reference", z.source},
                            {"served", z.error}});
        }
        for (const auto& p : z.providers) {
            for (const auto& [record, d] : p.drifts) {
                rows.push_back({{"zone", z.zone},
                                {"provider", p.provider},
                                {"record", d.name + " " + rr_type_name(d.type)},
                                {"address", d.address},
                                {"kind", std::string(to_string(d.kind))},
                                {"reference", d.expected},
                                {"served", d.served}});
            }
        }
    }
    return rows;
}

std::string zone_drift_text(const nlohmann::json& rows) {
    std::string out;
    if (!rows.is_array()) return out;
    for (const auto& r : rows) {
        auto s = [&](const char* k) { return r.value(k, std::string()); };
        if (s("kind") == "no_reference") {
            out += "zone_drift " + s("zone") + ": no reference (" + s("reference") +
                   "): " + s("served") + "\n";
            continue;
        }
        out += "zone_drift " + s("zone") + ": [" + s("provider") + "] " + s("record") +
               ": reference " + s("reference") + ", served " + s("served") + " (" + s("address") +
               ")\n";
    }
    return out;
}

}  // namespace nswatch
