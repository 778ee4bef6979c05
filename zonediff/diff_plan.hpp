// The pure parts of the daemon's scheduled diff: which providers to transfer a zone from, and the
// one log line a run is reported in. No I/O, no clock.
#pragma once

#include <string>
#include <vector>

#include "config/schema.hpp"
#include "monitor/zone_state.hpp"
#include "zonediff/zone_diff.hpp"

namespace nswatch {

/// The providers to transfer `zone` from: those with transfer settings (config order, so the
/// first is the reference) that serve the zone, i.e. that the monitor found among its name
/// servers. Fewer than two means there is nothing to compare.
std::vector<const ProviderTransfer*> providers_to_diff(
    const std::vector<ProviderTransfer>& transfers, const ZoneState& zone);

/// One line for the log: "shop.test: beta differs from alpha in 1 RRset (lab-bump.shop.test.
/// TXT changed); gamma identical to alpha".
std::string describe_run(const ZoneDiffResult& result);

/// The run's outcome for nswatch_zone_diff_runs_total: "error" (a transfer failed), "differ" or
/// "equal".
std::string run_outcome(const ZoneDiffResult& result);

}  // namespace nswatch
