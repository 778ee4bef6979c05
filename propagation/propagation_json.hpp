// The propagation section of /api/v1/status and the status page: per zone, provider and vantage,
// the newest finished run. Pure: records in, JSON out.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "propagation/propagation_service.hpp"

namespace nswatch {

/// `recent`: finished runs, newest first (PropagationService::recent()). An array of flat
/// objects sorted by zone, provider, vantage: zone, provider, vantage, serial, trigger,
/// started_unix_ms, seconds (null when not every address served it), served ("k/n"),
/// slowest_address, end_reason.
nlohmann::json last_propagation_json(const std::vector<PropagationRecord>& recent);

}  // namespace nswatch
