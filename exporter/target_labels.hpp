// The label set every per-target series carries, named after the DNS exporter family's labels so
// dashboards and rules written for those exporters read nswatch's series the same way.
#pragma once

#include <map>
#include <string>

#include "dns/probe_result.hpp"

namespace nswatch {

/// zone, nameserver, ip, family, transport, provider, vantage of one target.
std::map<std::string, std::string> target_labels(const Target& t);

}  // namespace nswatch
