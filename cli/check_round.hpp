// `nswatch check`'s one round over every zone it names: each zone's delegation (from the config's
// static list, else discovered, zone by zone), then the SOA probes of all zones on one engine, fed
// zone by zone while fewer than probe.max_in_flight are outstanding, then each zone judged. The
// cost is linear in the zones: the config's zones are looked up in an index, results go straight
// to their zone, and the engine never holds more than a window of requests.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "monitor/zone_view.hpp"

namespace nswatch {

std::vector<ZoneView> check_round(ProbeEngine& engine, const Config& config,
                                  const std::vector<std::string>& zones,
                                  const std::vector<RootServer>& hints, const RoundOptions& round);

/// The same round, each zone handed to `done` (with its index in `zones`) once it is judged, in
/// the order of `zones`: as soon as its probes, and those of every zone before it, have reported.
/// The view is reused for a later zone when `done` returns, so that a caller that writes each
/// zone out holds a window of zones, not all of them, and their memory is reused while it is
/// warm (`done` may move from the view).
void check_round_each(ProbeEngine& engine, const Config& config,
                      const std::vector<std::string>& zones, const std::vector<RootServer>& hints,
                      const RoundOptions& round,
                      const std::function<void(size_t, ZoneView&)>& done);

}  // namespace nswatch
