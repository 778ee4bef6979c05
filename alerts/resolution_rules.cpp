#include "alerts/resolution_rules.hpp"

namespace nswatch {

std::vector<Condition> resolution_alert_conditions(const std::vector<ResolutionCondition>& held,
                                                   const AlertSettings& settings) {
    std::vector<Condition> out;
    for (const auto& rc : held) {
        const RuleSettings rs = settings.rule_for(rc.kind, rc.zone);
        if (!rs.enabled) continue;
        Condition c;
        c.rule = rc.kind;
        c.severity = rs.severity;
        c.labels = {{"zone", rc.zone}, {"resolver", rc.resolver}, {"vantage", rc.vantage}};
        c.summary = rc.reason;
        c.for_ = rs.for_;
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace nswatch
