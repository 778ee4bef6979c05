// The `alerts` section of the configuration: rule settings (global and per zone), the lifecycle
// timings and the delivery channels. Plain values with defaults; alerts/ reads them, the loader
// (config/alerts_config.cpp) fills them. CONFIGURATION.md documents each field.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nswatch {

/// How loud an alert is; channels map it to their own scale.
enum class AlertSeverity { info, warning, critical };

/// One rule's settings. `threshold` means what the rule says (a lag, a latency, a remaining
/// validity); rules without a threshold ignore it.
struct RuleSettings {
    /// Evaluate the rule at all.
    bool enabled = true;
    /// Severity of the alerts it raises.
    AlertSeverity severity = AlertSeverity::warning;
    /// How long a condition must hold before the alert fires (pending until then).
    std::chrono::milliseconds for_{0};
    /// Rule-specific threshold (see CONFIGURATION.md, alerts.rules).
    std::chrono::milliseconds threshold{0};
    /// serial_lag only: when > 0 the lag threshold is this multiple of the zone's SOA REFRESH
    /// (as served with the newest serial) instead of `threshold`, which remains the fallback
    /// while no SOA is known. 0 = off.
    double refresh_factor = 0;

    bool operator==(const RuleSettings&) const = default;
};

/// Per-zone override of some fields of a rule; empty fields inherit the global rule.
struct RuleOverride {
    std::optional<bool> enabled;                         ///< overrides RuleSettings::enabled
    std::optional<AlertSeverity> severity;               ///< overrides RuleSettings::severity
    std::optional<std::chrono::milliseconds> for_;       ///< overrides RuleSettings::for_
    std::optional<std::chrono::milliseconds> threshold;  ///< overrides RuleSettings::threshold
    std::optional<double> refresh_factor;                ///< overrides RuleSettings::refresh_factor

    bool operator==(const RuleOverride&) const = default;
    RuleSettings apply_to(const RuleSettings& global) const;
};

/// Where notifications go. Secrets (URLs with tokens, routing keys, HMAC keys) are resolved at
/// load time from the value itself, an environment variable or a file, and never logged.
struct ChannelConfig {
    /// webhook, slack, pagerduty or alertmanager.
    std::string type;
    /// Name used in logs, metrics and `status` (never the URL: it may hold a token).
    std::string name;
    /// Endpoint URL (secret for Slack). PagerDuty defaults to the public Events API v2.
    std::string url;
    /// PagerDuty routing (integration) key.
    std::string routing_key;
    /// Webhook HMAC-SHA256 key; empty = unsigned.
    std::string hmac_secret;
    /// Per-request time-out (connect + transfer).
    std::chrono::milliseconds timeout{10000};
    /// Notify only alerts of at least this severity.
    AlertSeverity min_severity = AlertSeverity::info;

    bool operator==(const ChannelConfig&) const = default;
};

/// The whole alerts section. Absent from the file = alerting off.
struct AlertSettings {
    /// Evaluate rules and deliver notifications.
    bool enabled = false;
    /// SQLite file for alert state, silences and the outbox; empty = next to storage.path.
    std::string state_path;
    /// How often the zone state snapshot is evaluated.
    std::chrono::milliseconds evaluation_interval{std::chrono::seconds(10)};
    /// A firing alert whose condition cleared stays firing this long (hysteresis against flaps).
    std::chrono::milliseconds resolve_after{std::chrono::minutes(2)};
    /// A still-firing alert is notified again after this long.
    std::chrono::milliseconds repeat_interval{std::chrono::hours(4)};
    /// First retry delay after a failed delivery; doubles each attempt up to retry_max.
    std::chrono::milliseconds retry_initial{std::chrono::seconds(1)};
    /// Longest delay between two delivery attempts.
    std::chrono::milliseconds retry_max{std::chrono::minutes(5)};
    /// A notification not delivered after this long is given up (and counted).
    std::chrono::milliseconds max_delivery_age{std::chrono::hours(24)};
    /// Rule settings by rule name (every built-in rule has an entry, with its defaults).
    std::map<std::string, RuleSettings> rules;
    /// Per zone: rule name -> override.
    std::map<std::string, std::map<std::string, RuleOverride>> zone_rules;
    /// Delivery channels.
    std::vector<ChannelConfig> channels;

    bool operator==(const AlertSettings&) const = default;

    /// The settings of `rule` for `zone` (the global ones with the zone's override applied).
    RuleSettings rule_for(const std::string& rule, const std::string& zone) const;
};

/// The built-in rules with their default settings, by name.
const std::map<std::string, RuleSettings>& default_rule_settings();

std::string_view to_string(AlertSeverity s);
std::optional<AlertSeverity> severity_from_string(std::string_view s);

}  // namespace nswatch
