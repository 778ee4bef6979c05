// The resolution part of `nswatch status --db`: per zone, whether users can resolve it through the
// configured resolvers and how much slower the uncached path is than its baseline, judged by the
// same pure code as the daemon (resolver/resolution.hpp) over the samples in the history window.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "resolver/resolution.hpp"

namespace nswatch {

/// Per zone: the states folded from `samples` and what they say at `now`.
struct ZoneResolution {
    std::string zone;                             ///< zone name
    std::string verdict;                          ///< "yes", "no", "unverified", "unknown"
    std::vector<ResolverZoneState> states;        ///< per (resolver, vantage)
    std::vector<ResolutionSummary> summaries;     ///< same order as states
    std::vector<ResolutionCondition> conditions;  ///< holding at `now`
};

/// Fold history samples (oldest first) into per-zone resolution views. `baseline_window` is
/// the history window minus the recent window (the rest of the defaults are the config's).
std::vector<ZoneResolution> resolution_from_samples(const std::vector<ResolutionSample>& samples,
                                                    const ResolutionSettings& settings,
                                                    ResolutionTime now);

/// The text section (nothing when `zones` is empty).
void print_resolution(std::ostream& out, const std::vector<ZoneResolution>& zones, bool colour);

/// The JSON form: an array of zones with their resolvers and conditions.
nlohmann::json resolution_json(const std::vector<ZoneResolution>& zones);

/// Read the history file's resolution samples over [now - since, now] and judge them; empty when
/// the file has no resolution table (resolution probes never ran).
std::vector<ZoneResolution> resolution_from_history(const std::string& db_path,
                                                    std::chrono::milliseconds since,
                                                    ResolutionTime now);

}  // namespace nswatch
