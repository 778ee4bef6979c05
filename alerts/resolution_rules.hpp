// Resolution conditions as alerts: the resolver prober (resolver/) already judges its own windows
// (`failing_after` failures in a row, p95 against `slow_after` and the baseline), so here they
// only get the alert shape: rule name, labels zone/resolver/vantage, severity and `for` from the
// alert settings of that zone. Pure.
#pragma once

#include <vector>

#include "alerts/rules.hpp"
#include "resolver/resolution.hpp"

namespace nswatch {

/// The alert conditions for resolution conditions, skipping rules disabled for their zone.
std::vector<Condition> resolution_alert_conditions(const std::vector<ResolutionCondition>& held,
                                                   const AlertSettings& settings);

}  // namespace nswatch
