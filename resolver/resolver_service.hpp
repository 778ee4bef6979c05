// `nswatch run` wiring of the resolution probes: the prober with its history and metrics sinks,
// started on its own thread. One call from cli/run_command.cpp.
#pragma once

#include <memory>

#include "resolver/resolution_history.hpp"
#include "resolver/resolution_metrics.hpp"
#include "resolver/resolver_prober.hpp"

namespace nswatch {

/// Owns the running prober and its sinks; destroying it stops the prober (after its round).
struct ResolverService {
    std::unique_ptr<ResolutionHistory> history;  ///< null without storage.path
    std::unique_ptr<ResolutionMetrics> metrics;  ///< registered in the daemon's registry
    std::unique_ptr<ResolverProber> prober;      ///< declared last: stopped first

    ~ResolverService() {
        if (prober) prober->stop();
    }
};

/// nullptr when `config` lists no resolvers; else a started service. Metrics go into
/// `registry`, history into config.storage.path (when set). Throws StorageError.
std::unique_ptr<ResolverService> start_resolution(const Config& config,
                                                  ResolverProber::SnapshotSource snapshot,
                                                  prometheus::Registry& registry);

}  // namespace nswatch
