// Prometheus metrics of the resolution probes, in the registry of exporter/probe_metrics.hpp and
// named like its metrics: counters and the duration histogram fed per sample, gauges for the
// conditions and the p95/baseline set after each round.
//
//   nswatch_resolution_probes_total{zone,resolver,vantage,path,outcome}
//   nswatch_resolution_duration_seconds{zone,resolver,vantage,path}      (replies only)
//   nswatch_resolution_uncached_p95_seconds{zone,resolver,vantage}
//   nswatch_resolution_uncached_baseline_seconds{zone,resolver,vantage}
//   nswatch_resolution_condition{zone,resolver,vantage,condition}        (1 holding, 0 not)
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "resolver/resolver_prober.hpp"

namespace nswatch {

class ResolutionMetrics {
  public:
    /// Registers its families in `registry`; `buckets` are upper bounds in seconds.
    ResolutionMetrics(prometheus::Registry& registry, std::vector<double> buckets);

    /// Count and time one round's samples.
    void observe(const std::vector<ResolutionSample>& samples);
    /// Set the gauges from a published view.
    void update(const ResolutionView& view);

  private:
    using Key = std::tuple<std::string, std::string, std::string>;  ///< zone, resolver, vantage

    std::vector<double> buckets_;
    prometheus::Family<prometheus::Counter>& probes_;
    prometheus::Family<prometheus::Histogram>& duration_;
    prometheus::Family<prometheus::Gauge>& p95_;
    prometheus::Family<prometheus::Gauge>& baseline_;
    prometheus::Family<prometheus::Gauge>& condition_;
    std::mutex mu_;
    std::map<std::tuple<Key, ResolutionPath, ResolutionOutcome>, prometheus::Counter*> counters_;
    std::map<std::pair<Key, ResolutionPath>, prometheus::Histogram*> histograms_;
};

/// The condition kinds, in a fixed order (every one gets a 0/1 series per state).
const std::vector<std::string>& resolution_condition_kinds();

}  // namespace nswatch
