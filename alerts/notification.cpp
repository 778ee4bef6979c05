#include "alerts/notification.hpp"

#include <ctime>

#include "monitor/utc_time.hpp"

namespace nswatch {

std::string rfc3339(WallTime t) {
    return utc_string(t, "%Y-%m-%dT%H:%M:%SZ");
}

nlohmann::json group_payload(const NoticeGroup& group, const std::string& vantage,
                             AlertSeverity min_severity) {
    nlohmann::json alerts = nlohmann::json::array();
    bool any_firing = false;
    for (const auto& n : group.notices) {
        if (n.alert.severity < min_severity) continue;
        any_firing = any_firing || !n.resolved;
        nlohmann::json a{
            {"fingerprint", n.alert.fingerprint},
            {"rule", n.alert.rule},
            {"status", n.resolved ? "resolved" : "firing"},
            {"severity", std::string(to_string(n.alert.severity))},
            {"labels", n.alert.labels},
            {"summary", n.alert.summary},
            {"starts_at", rfc3339(n.alert.firing_since == WallTime{} ? n.alert.active_since
                                                                     : n.alert.firing_since)},
            {"ends_at", n.resolved ? nlohmann::json(rfc3339(n.at)) : nlohmann::json()},
            {"reason", n.reason},
        };
        alerts.push_back(std::move(a));
    }
    if (alerts.empty()) return nullptr;
    return {{"version", "1"},
            {"zone", group.zone},
            {"vantage", vantage},
            {"status", any_firing ? "firing" : "resolved"},
            {"alerts", std::move(alerts)}};
}

}  // namespace nswatch
