// PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
// one event per alert, dedup_key = our fingerprint so a repeat updates the same incident and the
// resolve closes it. Severity must be one of critical, error, warning, info.
#include "alerts/channel.hpp"

namespace nswatch {

std::vector<HttpRequest> pagerduty_requests(const ChannelConfig& c, const nlohmann::json& payload) {
    std::vector<HttpRequest> out;
    for (const auto& a : payload.at("alerts")) {
        nlohmann::json event{{"routing_key", c.routing_key},
                             {"dedup_key", a.value("fingerprint", "")}};
        if (a.value("status", "") == "resolved") {
            event["event_action"] = "resolve";
        } else {
            std::string summary = a.value("summary", "");
            if (summary.size() > 1024) summary.resize(1024);  // the API's limit
            const auto& labels = a.at("labels");
            event["event_action"] = "trigger";
            event["payload"] = {
                {"summary", summary},
                {"source", "nswatch@" + payload.value("vantage", "")},
                {"severity", a.value("severity", "warning")},  // ours is a subset of theirs
                {"timestamp", a.value("starts_at", "")},
                {"component", labels.value("provider", payload.value("zone", ""))},
                {"group", payload.value("zone", "")},
                {"class", a.value("rule", "")},
                {"custom_details", labels},
            };
        }
        HttpRequest r;
        r.url = c.url;
        r.body = event.dump();
        r.headers.push_back("Content-Type: application/json");
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace nswatch
