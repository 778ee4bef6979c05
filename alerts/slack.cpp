// Slack incoming webhook message: a `text` line (shown in notifications) and one attachment per
// alert, coloured by severity (green once resolved), with zone, provider, since when.
#include "alerts/channel.hpp"

namespace nswatch {

namespace {

std::string colour(const nlohmann::json& a) {
    if (a.value("status", "") == "resolved") return "#2eb886";
    const std::string sev = a.value("severity", "");
    if (sev == "critical") return "#d50200";
    if (sev == "warning") return "#daa038";
    return "#439fe0";
}

std::string label(const nlohmann::json& a, const char* name) {
    const auto& l = a.at("labels");
    return l.contains(name) ? l.at(name).get<std::string>() : std::string("-");
}

}  // namespace

std::vector<HttpRequest> slack_requests(const ChannelConfig& c, const nlohmann::json& payload) {
    size_t firing = 0, resolved = 0;
    nlohmann::json attachments = nlohmann::json::array();
    for (const auto& a : payload.at("alerts")) {
        const bool is_resolved = a.value("status", "") == "resolved";
        (is_resolved ? resolved : firing)++;
        nlohmann::json fields = nlohmann::json::array(
            {{{"title", "Zone"}, {"value", label(a, "zone")}, {"short", true}},
             {{"title", "Provider"}, {"value", label(a, "provider")}, {"short", true}},
             {{"title", "Severity"}, {"value", a.value("severity", "")}, {"short", true}},
             {{"title", is_resolved ? "Resolved at" : "Since"},
              {"value", is_resolved ? a.value("ends_at", "") : a.value("starts_at", "")},
              {"short", true}}});
        attachments.push_back({{"color", colour(a)},
                               {"title", std::string(is_resolved ? "[RESOLVED] " : "[FIRING] ") +
                                             a.value("rule", "")},
                               {"text", a.value("summary", "")},
                               {"fields", fields},
                               {"footer", "nswatch " + payload.value("vantage", "")}});
    }
    std::string text = "nswatch: " + payload.value("zone", "");
    if (firing) text += ": " + std::to_string(firing) + " firing";
    if (resolved) text += (firing ? ", " : ": ") + std::to_string(resolved) + " resolved";
    HttpRequest r;
    r.url = c.url;
    r.body = nlohmann::json{{"text", text}, {"attachments", attachments}}.dump();
    r.headers.push_back("Content-Type: application/json");
    return {r};
}

}  // namespace nswatch
