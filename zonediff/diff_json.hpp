// The zone diff section of /api/v1/status and the status page: per zone and provider pair, the
// newest scheduled comparison. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "zonediff/zone_diff.hpp"

namespace nswatch {

/// An array of flat objects, one per (zone, provider_a, provider_b): zone, provider_a,
/// provider_b, serial_a, serial_b, compared, differing_rrsets, differing_records, first
/// (the first differing RRset's owner and type, "" when equal), error, finished_unix_ms.
nlohmann::json zone_diff_json(const std::vector<ZoneDiffResult>& results);

}  // namespace nswatch
