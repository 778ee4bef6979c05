// What `nswatch check` gives Nagios, Icinga and other monitoring-plugins hosts: a first line
// "NSWATCH STATUS - summary | performance data" (an RTT per address and transport, the serial lag
// per address), and the `-w`/`--warning` and `-C`/`--critical` RTT thresholds that override the
// config's (`-c` stays the config file, as in every nswatch command).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "monitor/zone_view.hpp"

namespace nswatch {

struct RttThresholds {
    std::optional<std::chrono::milliseconds> warning;   ///< -w: an answer slower is a WARNING
    std::optional<std::chrono::milliseconds> critical;  ///< -C: an answer slower is CRITICAL
};

/// Add a CRITICAL finding for every answer slower than `critical` (warnings come from the
/// verdict, whose rtt_warning -w has already replaced); the zone's status and summary follow.
void apply_rtt_critical(std::vector<ZoneView>& views, std::chrono::milliseconds critical);
/// The same for one zone.
void apply_rtt_critical(ZoneView& v, std::chrono::milliseconds critical);

/// One performance-data label=value pair, quoted as the plugin guidelines want.
std::string perfdata_item(const std::string& label, double value, const std::string& unit,
                          const std::string& warn, const std::string& crit);

/// The plugin's first line: "NSWATCH CRITICAL - shop.test: ... | 'shop.test 127.53.1.1 udp
/// rtt'=0.000045s;0.5;1;0 'shop.test 127.53.1.1 serial lag'=0;;;0 ...".
std::string plugin_line(const std::vector<ZoneView>& views, PluginStatus overall,
                        std::chrono::milliseconds warning,
                        std::optional<std::chrono::milliseconds> critical);

}  // namespace nswatch
