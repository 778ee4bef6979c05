// `nswatch check`'s one round over every zone it names: each zone's delegation (from the config's
// static list, else discovered, zone by zone), then the SOA probes of all zones on one engine, fed
// zone by zone while fewer than probe.max_in_flight are outstanding, then each zone judged. The
// cost is linear in the zones: the config's zones are looked up in an index, results go straight
// to their zone, and the engine never holds more than a window of requests.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "monitor/zone_view.hpp"

namespace nswatch {

std::vector<ZoneView> check_round(ProbeEngine& engine, const Config& config,
                                  const std::vector<std::string>& zones,
                                  const std::vector<RootServer>& hints, const RoundOptions& round);

}  // namespace nswatch
