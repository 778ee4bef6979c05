// The zone_drift section of /api/v1/status and the status page: one row per standing drift, and
// one per zone whose reference is unusable. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "zonediff/reference_checker.hpp"

namespace nswatch {

/// An array of flat objects: zone, provider, record, address, kind, reference, served; a zone
/// without a usable reference has kind "no_reference", its source and the error in `served`.
nlohmann::json zone_drift_json(const std::vector<ZoneDriftResult>& results);

/// One line per drift or error, as `nswatch status` prints them; "" when there are none.
std::string zone_drift_text(const nlohmann::json& rows);

}  // namespace nswatch
