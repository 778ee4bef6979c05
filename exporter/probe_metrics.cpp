#include "exporter/probe_metrics.hpp"

#include <utility>

#include "exporter/target_labels.hpp"

namespace nswatch {

std::vector<double> default_duration_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

ProbeMetrics::ProbeMetrics(const std::string& version, std::vector<double> duration_buckets)
    : registry_(std::make_shared<prometheus::Registry>()),
      buckets_(std::move(duration_buckets)),
      probes_(prometheus::BuildCounter()
                  .Name("nswatch_probes_total")
                  .Help("Probes sent, by target and outcome.")
                  .Register(*registry_)),
      duration_(prometheus::BuildHistogram()
                    .Name("nswatch_probe_duration_seconds")
                    .Help("Round-trip time of probes that got a reply, by target.")
                    .Register(*registry_)) {
    prometheus::BuildGauge()
        .Name("nswatch_build_info")
        .Help("Always 1; the version of nswatch in a label.")
        .Register(*registry_)
        .Add({{"version", version}})
        .Set(1);
}

void ProbeMetrics::observe(const ProbeResult& r) {
    const Target& t = r.target;
    Key key{t.zone,
            t.nameserver,
            t.address,
            std::string(to_string(t.family)),
            std::string(to_string(t.transport)),
            t.provider,
            t.vantage};
    const auto outcome = static_cast<size_t>(r.outcome);

    std::lock_guard lock(mu_);
    Children& c = children_[key];
    if (c.probes[outcome] == nullptr) {
        auto labels = target_labels(t);
        labels.emplace("outcome", std::string(to_string(r.outcome)));
        c.probes[outcome] = &probes_.Add(labels);
    }
    c.probes[outcome]->Increment();
    // A timeout's duration is the timeout we chose, not a latency: it would drag every percentile.
    if (!r.answered()) return;
    if (c.duration == nullptr) c.duration = &duration_.Add(target_labels(t), buckets_);
    c.duration->Observe(r.rtt_seconds());
}

}  // namespace nswatch
