#include "resolver/resolver_service.hpp"

#include <spdlog/spdlog.h>

namespace nswatch {

std::unique_ptr<ResolverService> start_resolution(const Config& config,
                                                  ResolverProber::SnapshotSource snapshot,
                                                  prometheus::Registry& registry) {
    if (!config.resolution.enabled()) return nullptr;
    auto service = std::make_unique<ResolverService>();
    if (!config.storage.path.empty()) {
        service->history =
            std::make_unique<ResolutionHistory>(config.storage.path, config.storage.raw_retention);
    }
    service->metrics = std::make_unique<ResolutionMetrics>(registry, config.http.rtt_buckets);
    std::vector<ResolutionSink> sinks;
    sinks.push_back([m = service->metrics.get()](const auto& samples) { m->observe(samples); });
    if (service->history) {
        sinks.push_back([h = service->history.get()](const auto& samples) {
            try {
                h->write(samples);
            } catch (const std::exception& e) {
                // History is a record, not the probe: keep probing, say why rows are missing.
                spdlog::error("resolution history: {}", e.what());
            }
        });
    }
    std::vector<ResolutionViewSink> view_sinks;
    view_sinks.push_back([m = service->metrics.get()](const auto& view) { m->update(view); });
    service->prober = std::make_unique<ResolverProber>(config, std::move(snapshot),
                                                       std::move(sinks), std::move(view_sinks));
    service->prober->start();
    spdlog::info("resolution probes: {} resolvers, every {} s", config.resolution.resolvers.size(),
                 std::chrono::duration<double>(config.resolution.interval).count());
    return service;
}

}  // namespace nswatch
