// The /api/v1/status document: a Snapshot as JSON, and back, so that `nswatch status --from URL`
// can merge the views of several instances. Times are RFC 3339 UTC strings with nanoseconds (null
// for "never"); durations carry integer nanoseconds beside a seconds value for people.
#pragma once

#include <nlohmann/json.hpp>

#include "monitor/zone_state.hpp"

namespace nswatch {

/// Schema version written as "schema"; bumped when a field changes meaning.
inline constexpr int status_json_schema = 1;

nlohmann::json snapshot_to_json(const Snapshot& s);

/// Inverse of snapshot_to_json. Missing fields take their defaults (older writers); a field of the
/// wrong type throws nlohmann::json::exception, an unknown enum name or time std::invalid_argument.
/// ProbeResult::sent_mono does not cross processes and comes back as the epoch.
Snapshot snapshot_from_json(const nlohmann::json& j);

}  // namespace nswatch
