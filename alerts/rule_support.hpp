// Helpers shared by the rule files (alerts/rules.cpp, alerts/health_rules.cpp): grouping a zone's
// targets per provider and vantage, building conditions, and the wording of numbers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "alerts/rules.hpp"

namespace nswatch::rule_support {

struct GroupKey {
    std::string provider, vantage;
    auto operator<=>(const GroupKey&) const = default;
};

/// The zone's targets per (provider, vantage).
std::map<GroupKey, std::vector<const TargetState*>> by_provider(const ZoneState& z);

/// A condition of `rule` for the zone of `in` (adds the zone label, severity and `for`).
Condition make(const RuleInput& in, std::string_view rule, Labels labels, std::string summary);
/// A hold for an alert with these labels (see Condition::hold).
Condition hold(const RuleInput& in, std::string_view rule, Labels labels);

/// "12 s" for seconds, rounded.
std::string secs(double s);
/// Up to five addresses, then "and N more": a message stays readable with forty.
std::string address_list(const std::vector<const TargetState*>& ts);

/// Outcomes that say the server does not serve the zone (lame), not that it is unreachable.
bool lame_outcome(Outcome o);
/// Answered with a usable SOA.
bool answering(const TargetState& t);
/// How the probe ended, with the server's own reason when it gave one (RFC 8914):
/// "refused, EDE 18 (Prohibited): not serving this zone".
std::string outcome_text(const LastProbe& last);

}  // namespace nswatch::rule_support
