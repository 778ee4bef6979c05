// The `zone_diff_mismatch` rule: the daemon's scheduled zone diff (zonediff/diff_service.hpp)
// turned into alert conditions. Pure: it takes the newest results and the alert settings, and is
// registered with AlertEngine::add_condition_source. Kept apart from rule_table()
// (alerts/rules.hpp) because its input is not the zone snapshot. `answer_mismatch` is the other
// rule about differences: over the watched names' probed answers; this one covers every record of
// the zone.
#pragma once

#include <cstddef>
#include <vector>

#include "alerts/rules.hpp"
#include "zonediff/zone_diff.hpp"

namespace nswatch {

/// Records named in a summary before "and K more records".
inline constexpr size_t kZoneDiffRecordsNamed = 5;

/// One condition per compared pair of providers whose copies differ (labels zone, provider_a,
/// provider_b), naming the first kZoneDiffRecordsNamed differing records. None for identical
/// copies, pairs never compared, or zones where the rule is disabled.
std::vector<Condition> zone_diff_conditions(const std::vector<ZoneDiffResult>& results,
                                            const AlertSettings& settings);

}  // namespace nswatch
