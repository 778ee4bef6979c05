// The `resolvers` section: recursive resolvers to probe through (the end user's view of a zone)
// and when a resolution is failing or slow. Off by default: no resolvers, no resolution probes.
// Read by config/resolvers_loader.cpp; CONFIGURATION.md documents each field.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// One recursive resolver that users of the watched zones ask.
struct ResolverConfig {
    /// Name in reports and metric labels (letters, digits, '-', '_', '.').
    std::string name;
    /// IPv4 or IPv6 literal in canonical form.
    std::string address;
    /// Family of `address`.
    Family family = Family::ipv4;
    /// Destination port.
    uint16_t port = 53;
    /// Vantages it is probed from; empty = the default vantage only (a resolver is often only
    /// reachable from inside one network).
    std::vector<std::string> vantages;

    bool operator==(const ResolverConfig&) const = default;
};

/// Resolution probes and their conditions.
struct ResolutionSettings {
    /// Resolvers to probe through; empty = resolution probes off.
    std::vector<ResolverConfig> resolvers;
    /// Time between the starts of two resolution rounds.
    std::chrono::milliseconds interval{60000};
    /// How long one resolution waits: long enough for the resolver's own retries to another
    /// nameserver (Unbound and BIND give up on a server after ~0.4-1.5 s).
    std::chrono::milliseconds timeout{5000};
    /// resolution_failing: this many uncached probes in a row failed through a resolver.
    int failing_after = 2;
    /// resolution_slow: the uncached p95 over `recent_window` is above this ...
    std::chrono::milliseconds slow_after{1000};
    /// ... or above slow_factor × the baseline (median over `baseline_window` before it).
    double slow_factor = 3.0;
    /// The window of recent uncached probes the p95 is taken over.
    std::chrono::milliseconds recent_window{std::chrono::minutes(10)};
    /// The window before `recent_window` whose median is the baseline.
    std::chrono::milliseconds baseline_window{std::chrono::hours(6)};

    bool operator==(const ResolutionSettings&) const = default;

    /// Resolution probes are on.
    bool enabled() const { return !resolvers.empty(); }
};

}  // namespace nswatch
