#include "alerts/zone_drift_rule.hpp"

namespace nswatch {

std::vector<Condition> zone_drift_conditions(const std::vector<ZoneDriftResult>& results,
                                             const AlertSettings& settings) {
    std::vector<Condition> out;
    for (const auto& z : results) {
        const RuleSettings rs = settings.rule_for("zone_drift", z.zone);
        if (!rs.enabled) continue;
        for (const auto& p : z.providers) {
            for (const auto& [record, drift] : p.drifts) {
                Condition c;
                c.rule = "zone_drift";
                c.severity = rs.severity;
                c.labels = {{"zone", z.zone}, {"provider", p.provider}, {"record", record}};
                c.summary = z.zone + ": " + drift.describe() + " (address " + drift.address + ")";
                c.for_ = rs.for_;
                out.push_back(std::move(c));
            }
        }
    }
    return out;
}

}  // namespace nswatch
