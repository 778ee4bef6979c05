// The open-files limit every nswatch command runs with, and what `nswatch run` does with it.
//
// IMPLEMENTATION NOTES
// - The probe engine keeps a socket per nameserver address and transport open while it lives
//   (c-ares STAYOPEN). When the limit cannot cover them, the daemon caps the sockets the engine
//   keeps (the least recently used idle one is closed for a new one) and probes on the wire; the
//   rest wait their turn. Without that cap, running out of descriptors makes an accept loop spin
//   and every probe fail at once, reported as the servers' network_error.
// - The plan is pure arithmetic on estimates (DescriptorNeeds); descriptor_needs() makes them from
//   a config. The estimates are upper bounds of what each part keeps open, with room for the
//   files opened in passing (c-ares reads /etc/resolv.conf for every new channel).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nswatch {

struct Config;

/// Raise the soft limit to the hard one, as servers commonly do. A failure is logged, not fatal.
void raise_descriptor_limit();

/// The soft open-files limit now; 0 when unlimited.
uint64_t open_files_limit();

/// What the daemon would keep open, by part.
struct DescriptorNeeds {
    size_t probe_sockets = 0;         ///< the probe engine: addresses known x transports
    size_t addresses = 0;             ///< distinct addresses behind probe_sockets (for the log)
    size_t base = 0;                  ///< stdio, logs, HTTP, SQLite, other services, spare
    size_t discovery_workers = 0;     ///< configured (0: no zone is discovered)
    size_t per_discovery_worker = 0;  ///< what one running discovery may hold
    size_t max_in_flight = 0;         ///< probe.max_in_flight (for the log)
};

/// What the daemon does within a limit.
struct DescriptorPlan {
    size_t needed = 0;             ///< base + discovery + probe sockets
    size_t probe_sockets = 0;      ///< cap on the engine's kept sockets (0: no cap)
    size_t discovery_workers = 0;  ///< workers to start
    bool short_of_descriptors = false;
    std::string summary;  ///< one log line saying what is short and what the daemon does instead
};

/// Descriptors one discovery may hold: its engine (epoll, a socket per server asked) and the
/// resolutions of its NS names, each on a thread with an engine of its own.
inline constexpr size_t kDescriptorsPerDiscovery = 32;
/// Fewer sockets than this for probes would make rounds crawl: the plan gives discovery workers
/// up before going below it.
inline constexpr size_t kMinProbeSockets = 8;

/// The plan for `limit` (0: unlimited). Pure.
DescriptorPlan plan_descriptors(const DescriptorNeeds& needs, uint64_t limit);

/// The needs of `nswatch run` with `config`.
DescriptorNeeds descriptor_needs(const Config& config);

}  // namespace nswatch
