// The zone-list file format of `zones_from` (CONFIGURATION.md, "zones_from"): one zone per line,
// read line by line without building a YAML tree, so that a list of 100,000 zones costs the
// loader little more than the zones themselves.
//
//   # comment (from '#' to the end of the line)
//   example.com
//   shop.test  primary=ns1.alpha.test  ns1.alpha.test=192.0.2.1,2001:db8::1;provider=alpha
//              ns1.beta.test=198.51.100.7;provider=beta;port=5353
//
// After the zone name, whitespace-separated settings: `primary=NS-NAME`, and static nameservers
// `NS-NAME=ADDRESS[,ADDRESS...][;provider=NAME][;port=N]`.
#pragma once

#include <functional>
#include <istream>
#include <string>

#include "config/schema.hpp"

namespace nswatch {

/// Reads zone-list lines from `in`, calling `add(zone, line)` (line 1-based) for each zone in
/// file order. `source` names the file in errors. Throws ConfigError "source:LINE:COLUMN: ..." at
/// the first mistake. Duplicate zones are not its business (the loader checks them across every
/// source).
void read_zone_list(std::istream& in, const std::string& source,
                    const std::function<void(ZoneConfig&&, int)>& add);

}  // namespace nswatch
