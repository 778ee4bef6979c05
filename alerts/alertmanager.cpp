// Alertmanager API v2: POST /api/v2/alerts with a list of postableAlert (labels, annotations,
// startsAt, endsAt, generatorURL). The rule name becomes the `alertname` label, as Prometheus does.
#include "alerts/channel.hpp"

namespace nswatch {

std::vector<HttpRequest> alertmanager_requests(const ChannelConfig& c,
                                               const nlohmann::json& payload, WallTime now,
                                               std::chrono::milliseconds hold) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& a : payload.at("alerts")) {
        nlohmann::json labels = a.at("labels");
        labels["alertname"] = a.value("rule", "");
        labels["severity"] = a.value("severity", "");
        const bool resolved = a.value("status", "") == "resolved";
        list.push_back({{"labels", labels},
                        {"annotations", {{"summary", a.value("summary", "")}}},
                        {"startsAt", a.value("starts_at", "")},
                        {"endsAt", resolved ? a.value("ends_at", "") : rfc3339(now + hold)},
                        {"generatorURL", "nswatch://" + payload.value("vantage", "")}});
    }
    std::string url = c.url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.size() < 14 || url.compare(url.size() - 14, 14, "/api/v2/alerts") != 0) {
        url += "/api/v2/alerts";
    }
    HttpRequest r;
    r.url = url;
    r.body = list.dump();
    r.headers.push_back("Content-Type: application/json");
    return {r};
}

}  // namespace nswatch
