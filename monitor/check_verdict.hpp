// The verdict of `nswatch check` for one zone, in monitoring-plugins terms.
//
// IMPLEMENTATION NOTES (the exit-code rules, also in README.md)
// UNKNOWN  (3): the delegation could not be discovered (nobody could be asked: timeouts, network
//               errors, SERVFAIL), or there is no address to probe.
// CRITICAL (2): the delegation is missing (the parent answers NXDOMAIN or NODATA for the zone, no
//               delegated NS name has an address, every delegated server is lame); no probe got
//               an authoritative SOA (the zone is dark); a whole provider answers no
//               probe (provider down); a server is ahead of the configured primary; the serials
//               cannot be ordered (RFC 1982 undefined).
// WARNING  (1): some probe failed (timeout, refused, lame, malformed, ...); an address serves an
//               older serial; parent and zone NS sets differ; a single provider (no failover);
//               a NS name without an address; an RTT above the warning threshold.
// OK       (0): none of the above.
// The worst finding of all zones is the exit code.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "delegation/delegation_missing.hpp"
#include "dns/probe_result.hpp"
#include "monitor/serial_round.hpp"

namespace nswatch {

enum class PluginStatus { ok = 0, warning = 1, critical = 2, unknown = 3 };

std::string_view to_string(PluginStatus s);  ///< "OK", "WARNING", "CRITICAL", "UNKNOWN"

/// Worse of two statuses (UNKNOWN counts as worse than CRITICAL for a gate: we do not know).
PluginStatus worst(PluginStatus a, PluginStatus b);

struct Finding {
    PluginStatus severity = PluginStatus::ok;  ///< how bad
    std::string text;                          ///< one sentence naming who and what
};

/// What the verdict is computed from: values only.
struct ZoneCheckInput {
    std::string zone;                         ///< zone name
    std::string discovery_error;              ///< non-empty: discovery failed
    DelegationMissing delegation_missing;     ///< set: the parent or the servers said it is gone
    std::vector<std::string> only_in_parent;  ///< NS names the parent lists but the zone does not
    std::vector<std::string> only_in_child;   ///< NS names the zone lists but the parent does not
    std::vector<std::string> providers;       ///< distinct providers of the nameservers
    std::vector<std::string> nameservers_without_address;  ///< NS names that did not resolve
    std::vector<ProbeResult> results;                      ///< the SOA probes of this round
    SerialRound round;                                     ///< their serial judgement
    std::chrono::milliseconds rtt_warning{500};            ///< RTT above this is a warning
};

struct ZoneVerdict {
    std::string zone;                        ///< zone name
    PluginStatus status = PluginStatus::ok;  ///< worst finding
    std::vector<Finding> findings;           ///< worst first
    std::string summary;                     ///< one line for the plugin output
};

ZoneVerdict judge_zone_check(const ZoneCheckInput& in);

}  // namespace nswatch
