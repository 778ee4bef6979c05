// The `alerts` section: lifecycle timings, rules (global and per zone) and channels. Secrets may
// be written inline, or named by `<key>_env` (an environment variable) or `<key>_file` (a file
// whose first line is the secret), so the config file itself can be public.
#include "config/alerts_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>

#include "config/names.hpp"

namespace nswatch {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

RuleSettings RuleOverride::apply_to(const RuleSettings& global) const {
    RuleSettings r = global;
    if (enabled) r.enabled = *enabled;
    if (severity) r.severity = *severity;
    if (for_) r.for_ = *for_;
    if (threshold) r.threshold = *threshold;
    if (refresh_factor) r.refresh_factor = *refresh_factor;
    return r;
}

RuleSettings AlertSettings::rule_for(const std::string& rule, const std::string& zone) const {
    RuleSettings base;
    if (auto it = rules.find(rule); it != rules.end()) {
        base = it->second;
    } else if (auto d = default_rule_settings().find(rule); d != default_rule_settings().end()) {
        base = d->second;
    }
    if (auto z = zone_rules.find(zone); z != zone_rules.end()) {
        if (auto o = z->second.find(rule); o != z->second.end()) return o->second.apply_to(base);
    }
    return base;
}

const std::map<std::string, RuleSettings>& default_rule_settings() {
    using S = AlertSeverity;
    // Defaults chosen for pages worth waking up for: lag is already a duration (threshold), so
    // `for` is 0; answer and delegation differences are normal for minutes during a change.
    static const std::map<std::string, RuleSettings> defaults{
        {"serial_lag", {true, S::warning, 0ms, 300s}},
        {"serial_ahead", {true, S::critical, 0ms, 0ms}},
        {"nameserver_timeout", {true, S::warning, 0ms, 0ms}},
        {"nameserver_down", {true, S::warning, 0ms, 0ms}},
        {"tcp_failing", {true, S::warning, 0ms, 0ms}},
        {"provider_down", {true, S::critical, 0ms, 0ms}},
        {"answer_mismatch", {true, S::warning, 10min, 0ms}},
        {"lame_delegation", {true, S::warning, 5min, 0ms}},
        {"delegation_mismatch", {true, S::warning, 10min, 0ms}},
        // The zone cannot be resolved at all: page at once, resolve on the first evidence.
        {"delegation_missing", {true, S::critical, 0ms, 0ms}},
        {"latency_high", {true, S::warning, 5min, 500ms}},
        {"dnssec_signature_expiry", {true, S::warning, 0ms, std::chrono::hours(24 * 7)}},
        // Multi-signer (RFC 8901): a provider lacking another signer's key breaks validation
        // for resolvers mixing its DNSKEY set with the other's signatures; a key roll takes a
        // few rounds to reach every provider. dnssec_invalid's threshold is the re-sign margin.
        {"keyset_mismatch", {true, S::warning, 10min, 0ms}},
        {"dnssec_invalid", {true, S::critical, 0ms, std::chrono::hours(24 * 3)}},
        // Judged by the resolution prober over its own windows (resolution.failing_after,
        // slow_after, slow_factor): the alert rule adds only severity and routing.
        {"resolution_failing", {true, S::critical, 0ms, 0ms}},
        {"resolution_slow", {true, S::warning, 0ms, 0ms}},
        {"resolution_unverified", {true, S::info, 0ms, 0ms}},
        // From the scheduled zone diff (`diff`), not the snapshot: alerts/zone_diff_rule.hpp.
        {"zone_diff_mismatch", {true, S::warning, 0ms, 0ms}},
        // From the reference check (zone `reference:`): alerts/zone_drift_rule.hpp. A standing
        // drift is asked again every round; `for` lets a secondary still taking a change in
        // (serial_lag's grace, 5 min by default) catch up before anyone is paged.
        {"zone_drift", {true, S::warning, 5min, 0ms}},
    };
    return defaults;
}

std::string_view to_string(AlertSeverity s) {
    switch (s) {
        case AlertSeverity::info:
            return "info";
        case AlertSeverity::warning:
            return "warning";
        case AlertSeverity::critical:
            return "critical";
    }
    return "warning";
}

std::optional<AlertSeverity> severity_from_string(std::string_view s) {
    if (s == "info") return AlertSeverity::info;
    if (s == "warning") return AlertSeverity::warning;
    if (s == "critical") return AlertSeverity::critical;
    return std::nullopt;
}

namespace config_detail {

namespace {

constexpr milliseconds kMaxDuration = std::chrono::hours(24 * 365);

AlertSeverity read_severity(const Reader& in, const Field& f) {
    const std::string s = in.string(f, "info, warning or critical");
    auto sev = severity_from_string(s);
    if (!sev) in.fail(f, "unknown severity '" + s + "' (expected info, warning or critical)");
    return *sev;
}

const std::vector<std::string_view> kRuleKeys{"enabled", "severity", "for", "threshold",
                                              "refresh_factor"};

// A multiple of SOA REFRESH: 0 (off) or 0.1 to 100.
double read_refresh_factor(const Reader& in, const Field& f) {
    constexpr std::string_view kExpected =
        "expected a multiple of the zone's SOA REFRESH between 0.1 and 100 (e.g. 2), or 0 for off";
    if (!f.value.IsScalar()) in.fail(f, std::string(kExpected));
    const std::string& s = f.value.Scalar();
    double v = -1;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
        in.fail(f, std::string(kExpected) + ", got '" + s + "'");
    }
    if (!(v == 0 || (v >= 0.1 && v <= 100))) {
        in.fail(f, s + " is out of range: " + std::string(kExpected));
    }
    return v;
}

RuleOverride read_rule(const Reader& in, const Field& field, const std::string& rule) {
    MapFields m = in.map(field, kRuleKeys);
    if (const Field* f = m.get("refresh_factor")) {
        if (rule != "serial_lag") in.fail(*f, "refresh_factor applies to serial_lag only");
    }
    RuleOverride o;
    if (const Field* f = m.get("enabled")) o.enabled = in.boolean(*f);
    if (const Field* f = m.get("severity")) o.severity = read_severity(in, *f);
    if (const Field* f = m.get("for")) o.for_ = in.duration(*f, 0ms, kMaxDuration);
    if (const Field* f = m.get("threshold")) o.threshold = in.duration(*f, 0ms, kMaxDuration);
    if (const Field* f = m.get("refresh_factor")) o.refresh_factor = read_refresh_factor(in, *f);
    return o;
}

std::map<std::string, RuleOverride> read_rules(const Reader& in, const Field& field) {
    std::vector<std::string_view> names;
    for (const auto& [name, _] : default_rule_settings()) names.emplace_back(name);
    MapFields m = in.map(field, names);
    std::map<std::string, RuleOverride> out;
    for (const auto& [name, f] : m.entries) out[name] = read_rule(in, f, name);
    return out;
}

// A secret from `key`, `key_env` or `key_file`; at most one of them.
std::string read_secret(const Reader& in, const MapFields& m, const std::string& key,
                        const std::filesystem::path& base_dir) {
    const Field* inline_value = m.get(key);
    const Field* env = m.get(key + "_env");
    const Field* file = m.get(key + "_file");
    const int given = (inline_value != nullptr) + (env != nullptr) + (file != nullptr);
    if (given > 1) {
        const Field* second = file != nullptr ? file : env;
        in.fail(*second,
                "give only one of '" + key + "', '" + key + "_env' and '" + key + "_file'");
    }
    if (inline_value != nullptr) return in.string(*inline_value, "a value");
    if (env != nullptr) {
        const std::string name = in.string(*env, "an environment variable name");
        const char* value = std::getenv(name.c_str());
        // The message names the variable, never a value.
        if (value == nullptr || *value == '\0') {
            in.fail(*env, "environment variable '" + name + "' is not set or empty");
        }
        return value;
    }
    if (file != nullptr) {
        std::filesystem::path path = in.string(*file, "a file path");
        if (path.is_relative() && !base_dir.empty()) path = base_dir / path;
        std::ifstream s(path);
        std::string line;
        if (!s || !std::getline(s, line)) {
            in.fail(*file, "secret file '" + path.string() + "' cannot be read or is empty");
        }
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty()) in.fail(*file, "secret file '" + path.string() + "' is empty");
        return line;
    }
    return "";
}

ChannelConfig read_channel(const Reader& in, const Field& field,
                           const std::filesystem::path& base_dir) {
    MapFields m = in.map(field, {"type", "name", "url", "url_env", "url_file", "routing_key",
                                 "routing_key_env", "routing_key_file", "hmac_secret",
                                 "hmac_secret_env", "hmac_secret_file", "timeout", "min_severity"});
    ChannelConfig c;
    const Field& type = in.require(m, "type", "webhook, slack, pagerduty or alertmanager");
    c.type = in.string(type, "webhook, slack, pagerduty or alertmanager");
    if (c.type != "webhook" && c.type != "slack" && c.type != "pagerduty" &&
        c.type != "alertmanager") {
        in.fail(type, "unknown channel type '" + c.type +
                          "' (expected webhook, slack, pagerduty or alertmanager)");
    }
    c.name = c.type;
    if (const Field* f = m.get("name")) c.name = in.string(*f, "a channel name");
    c.url = read_secret(in, m, "url", base_dir);
    c.routing_key = read_secret(in, m, "routing_key", base_dir);
    c.hmac_secret = read_secret(in, m, "hmac_secret", base_dir);
    if (c.type == "pagerduty") {
        if (c.url.empty()) c.url = "https://events.pagerduty.com/v2/enqueue";
        if (c.routing_key.empty()) {
            in.fail(field,
                    "a pagerduty channel needs routing_key (or routing_key_env, "
                    "routing_key_file)");
        }
    } else if (c.url.empty()) {
        in.fail(field, "a " + c.type + " channel needs url (or url_env, url_file)");
    }
    if (c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) {
        // The URL may be a secret (Slack): say what is wrong without echoing it.
        const Field* at = m.get("url") != nullptr ? m.get("url") : &field;
        in.fail(*at, "the channel URL must start with http:// or https://");
    }
    if (const Field* f = m.get("timeout")) c.timeout = in.duration(*f, 1ms, 300s);
    if (const Field* f = m.get("min_severity")) c.min_severity = read_severity(in, *f);
    return c;
}

}  // namespace

void read_alerts(const Reader& in, const Field& field, const std::filesystem::path& base_dir,
                 const std::vector<std::string>& zones, AlertSettings& out) {
    out.enabled = true;
    out.rules = default_rule_settings();
    if (field.value.IsNull()) return;
    MapFields m = in.map(
        field, {"enabled", "state_path", "evaluation_interval", "resolve_after", "repeat_interval",
                "retry_initial", "retry_max", "max_delivery_age", "rules", "zones", "channels"});
    if (const Field* f = m.get("enabled")) out.enabled = in.boolean(*f);
    if (const Field* f = m.get("state_path")) {
        std::filesystem::path p = in.string(*f, "a file path");
        if (p.is_relative() && !base_dir.empty()) p = base_dir / p;
        out.state_path = p.lexically_normal().string();
    }
    if (const Field* f = m.get("evaluation_interval")) {
        out.evaluation_interval = in.duration(*f, 100ms, 1h);
    }
    if (const Field* f = m.get("resolve_after")) out.resolve_after = in.duration(*f, 0ms, 24h);
    if (const Field* f = m.get("repeat_interval")) {
        out.repeat_interval = in.duration(*f, 1min, kMaxDuration);
    }
    if (const Field* f = m.get("retry_initial")) out.retry_initial = in.duration(*f, 10ms, 1h);
    if (const Field* f = m.get("retry_max")) out.retry_max = in.duration(*f, 10ms, 24h);
    if (const Field* f = m.get("max_delivery_age")) {
        out.max_delivery_age = in.duration(*f, 1min, kMaxDuration);
    }
    if (out.retry_max < out.retry_initial) {
        in.fail(*m.get("retry_max"), "retry_max must be at least retry_initial");
    }
    if (const Field* f = m.get("rules")) {
        for (const auto& [name, o] : read_rules(in, *f))
            out.rules[name] = o.apply_to(out.rules[name]);
    }
    if (const Field* f = m.get("zones")) {
        if (!f->value.IsMap()) {
            in.fail(*f, "expected a map of zone name -> rules, got " + describe(f->value));
        }
        for (auto it = f->value.begin(); it != f->value.end(); ++it) {
            const YAML::Node key = it->first;
            const YAML::Node value = it->second;
            if (!key.IsScalar()) in.fail(key.Mark(), "zone names must be plain words");
            std::string zone = key.Scalar();
            for (char& c : zone) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (!zone.empty() && zone.back() == '.') zone.pop_back();
            if (std::find(zones.begin(), zones.end(), zone) == zones.end()) {
                in.fail(key.Mark(),
                        "alerts.zones names '" + zone + "', which is not a zone of this config");
            }
            Field rules{value, f->path + "." + key.Scalar(), key.Mark()};
            out.zone_rules[zone] = read_rules(in, rules);
        }
    }
    if (const Field* f = m.get("channels")) {
        for (const auto& item : in.list(*f, "[{type: slack, url_env: SLACK_WEBHOOK_URL}]")) {
            out.channels.push_back(read_channel(in, item, base_dir));
        }
    }
}

}  // namespace config_detail
}  // namespace nswatch
