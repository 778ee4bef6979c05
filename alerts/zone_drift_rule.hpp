// The `zone_drift` rule: each provider's answers that differ from the zone's reference
// (zonediff/reference_service.hpp) as alert conditions. Pure; registered with
// AlertEngine::add_condition_source like zone_diff_mismatch, since its input is not the snapshot.
#pragma once

#include <vector>

#include "alerts/rules.hpp"
#include "zonediff/reference_checker.hpp"

namespace nswatch {

/// One condition per standing drift (labels zone, provider, record: "www.shop.test. A", or
/// "made-up name" / "absent type" for the negative questions), its summary naming the provider,
/// the record and both values. None where the rule is disabled.
std::vector<Condition> zone_drift_conditions(const std::vector<ZoneDriftResult>& results,
                                             const AlertSettings& settings);

}  // namespace nswatch
