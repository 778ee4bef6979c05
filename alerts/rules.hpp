// Alert rules: pure functions from one zone's state, a `now` and the rule's settings to the list of
// conditions that hold right now. No clock, no I/O: the lifecycle (alerts/lifecycle.hpp) turns
// conditions over time into pending/firing/resolved alerts.
//
// Adding a rule: write a RuleFn, add it to rule_table() in rules.cpp, and give it default settings
// in config/alerts_config.cpp default_rule_settings(). Conditions carry labels; the same rule and
// labels in the next evaluation are the same alert (the fingerprint).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/alerts_schema.hpp"
#include "monitor/zone_state.hpp"

namespace nswatch {

/// Alert labels, sorted by name: zone, provider, vantage, nameserver, address, transport...
using Labels = std::map<std::string, std::string>;

/// One thing wrong right now.
struct Condition {
    std::string rule;                                 ///< rule name ("serial_lag")
    AlertSeverity severity = AlertSeverity::warning;  ///< from the rule's settings
    Labels labels;                                    ///< identify the alert (always has "zone")
    std::string summary;                ///< one human sentence: what is wrong, with numbers
    std::chrono::milliseconds for_{0};  ///< the rule's `for`, carried for the lifecycle
    /// The condition cannot be judged now (its provider does not answer, the target has no
    /// evidence since a restart, a recovery is not yet confirmed by `rise` answers): an alert
    /// with these labels keeps its state and text; none is started. An alert is resolved only by
    /// evidence that its trouble is over, never by the absence of evidence.
    bool hold = false;

    bool operator==(const Condition&) const = default;
};

/// What a rule sees besides the zone.
struct RuleInput {
    const ZoneState& zone;         ///< the zone's newest state
    WallTime now;                  ///< evaluation time (virtual in tests)
    const RuleSettings& settings;  ///< the rule's settings for this zone
};

using RuleFn = std::vector<Condition> (*)(const RuleInput&);

/// A named rule.
struct RuleDef {
    std::string_view name;  ///< as in config and labels
    RuleFn evaluate;        ///< the pure function
};

/// Every built-in rule.
const std::vector<RuleDef>& rule_table();

/// Evaluate every enabled rule over every zone of the snapshot that has evidence (judged_zone).
std::vector<Condition> evaluate_rules(const Snapshot& snapshot, WallTime now,
                                      const AlertSettings& settings);

/// A zone has evidence to judge: a probe round, or a finished discovery. Alerts of a zone without
/// any (just after a restart, or a zone whose delegation is still being looked up) keep their
/// state, and such a zone never holds back the others.
bool judged_zone(const ZoneState& zone);

/// The rules computed from the zone snapshot (rule_table()); other rules come from condition
/// sources (resolution probes, zone diff).
bool snapshot_rule(std::string_view rule);

/// Stable dedup key of rule + labels (16 hex digits, FNV-1a 64): the same across restarts and
/// versions, so PagerDuty and the outbox can use it.
std::string fingerprint(const std::string& rule, const Labels& labels);

}  // namespace nswatch
