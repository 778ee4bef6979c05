// From a config and a zone name to the probe results of one round: discovery (or the static
// nameserver list), the SOA probes to every address over UDP and TCP, and their judgement.
// Shared by `check`, `demo`, `audit` and the daemon's rounds (static delegations, the round's
// requests), so they all see a zone the same way.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "delegation/discovery.hpp"
#include "monitor/check_verdict.hpp"

namespace nswatch {

struct ZoneView {
    Delegation delegation;             ///< parent/child NS sets and every address
    std::vector<ProbeResult> results;  ///< the SOA probes
    SerialRound round;                 ///< serials judged with RFC 1982
    ZoneVerdict verdict;               ///< the monitoring-plugins verdict
};

struct RoundOptions {
    bool udp = true;  ///< probe over UDP
    bool tcp = true;  ///< probe over TCP
};

/// The delegation of a zone whose nameservers the config lists (no network).
Delegation static_delegation(const Config& config, const ZoneConfig& zone);
/// The same with the config's provider rules already compiled (provider_classifier), for a
/// caller that builds many zones' delegations.
Delegation static_delegation(const ZoneConfig& zone, const ProviderClassifier& providers);
/// The config's provider rules (`providers:`), compiled.
ProviderClassifier provider_classifier(const Config& config);

/// The nameservers of `zone`: from the config's static list when it has one, else discovered.
Delegation delegation_for(ProbeEngine& engine, const Config& config, const std::string& zone,
                          const std::vector<RootServer>& hints);

/// What the monitor keeps of a delegation between discoveries: what soa_requests and
/// watch_requests read (the zone, and each nameserver's name, addresses, provider and port). The
/// NS lists, the child NS answers, the notes and the provider rules are dropped: a few KiB per
/// discovered zone, ~1 KiB per zone with static nameservers. The status API shows the
/// DelegationState derived before.
Delegation probing_part(Delegation d);

/// SOA probe requests to every address of every nameserver of `d`.
std::vector<ProbeRequest> soa_requests(const Delegation& d, const Config& config,
                                       const RoundOptions& round);
/// The same into `out` (cleared first), so that a caller can reuse its capacity.
void soa_requests(const Delegation& d, const Config& config, const RoundOptions& round,
                  std::vector<ProbeRequest>& out);

/// Requests for the zone's watched names and types (UDP) to every address of `d`.
std::vector<ProbeRequest> watch_requests(const Delegation& d, const ZoneConfig& zone,
                                         const Config& config);
/// The same into `out` (cleared first), so that a caller can reuse its capacity.
void watch_requests(const Delegation& d, const ZoneConfig& zone, const Config& config,
                    std::vector<ProbeRequest>& out);

/// The root hints the config asks for (built-in when none).
std::vector<RootServer> hints_for(const Config& config);

}  // namespace nswatch
