#include "resolver/resolution_metrics.hpp"

#include <algorithm>
#include <limits>

namespace nswatch {

namespace {

prometheus::Labels labels_of(const std::string& zone, const std::string& resolver,
                             const std::string& vantage) {
    return {{"zone", zone}, {"resolver", resolver}, {"vantage", vantage}};
}

}  // namespace

const std::vector<std::string>& resolution_condition_kinds() {
    static const std::vector<std::string> kinds{"resolution_failing", "resolution_slow",
                                                "resolution_unverified"};
    return kinds;
}

ResolutionMetrics::ResolutionMetrics(prometheus::Registry& registry, std::vector<double> buckets)
    : buckets_(std::move(buckets)),
      probes_(prometheus::BuildCounter()
                  .Name("nswatch_resolution_probes_total")
                  .Help("Resolutions through recursive resolvers, by path and judged outcome.")
                  .Register(registry)),
      duration_(prometheus::BuildHistogram()
                    .Name("nswatch_resolution_duration_seconds")
                    .Help("Resolution time through a recursive resolver, by path (cached: the "
                          "watched names; uncached: a random name forcing a trip to the zone's "
                          "nameservers), for resolutions that got a reply.")
                    .Register(registry)),
      p95_(prometheus::BuildGauge()
               .Name("nswatch_resolution_uncached_p95_seconds")
               .Help("p95 of the uncached resolution time over the recent window.")
               .Register(registry)),
      baseline_(prometheus::BuildGauge()
                    .Name("nswatch_resolution_uncached_baseline_seconds")
                    .Help("Median uncached resolution time over the baseline window.")
                    .Register(registry)),
      condition_(prometheus::BuildGauge()
                     .Name("nswatch_resolution_condition")
                     .Help("1 while a resolution condition holds (resolution_failing, "
                           "resolution_slow, resolution_unverified), else 0.")
                     .Register(registry)) {}

void ResolutionMetrics::observe(const std::vector<ResolutionSample>& samples) {
    std::lock_guard lock(mu_);
    for (const auto& s : samples) {
        const Key key{s.zone, s.resolver, s.vantage};
        prometheus::Counter*& c = counters_[{key, s.path, s.outcome}];
        if (c == nullptr) {
            auto labels = labels_of(s.zone, s.resolver, s.vantage);
            labels.emplace("path", std::string(to_string(s.path)));
            labels.emplace("outcome", std::string(to_string(s.outcome)));
            c = &probes_.Add(labels);
        }
        c->Increment();
        // A timeout's duration is the timeout we chose, not a latency.
        if (s.rcode < 0) continue;
        prometheus::Histogram*& h = histograms_[{key, s.path}];
        if (h == nullptr) {
            auto labels = labels_of(s.zone, s.resolver, s.vantage);
            labels.emplace("path", std::string(to_string(s.path)));
            h = &duration_.Add(labels, buckets_);
        }
        h->Observe(s.seconds);
    }
}

void ResolutionMetrics::update(const ResolutionView& view) {
    std::lock_guard lock(mu_);
    for (const auto& st : view.states) {
        const auto sum = summarize(st, view.settings, view.taken);
        const auto labels = labels_of(st.zone, st.resolver, st.vantage);
        // No samples in the window: NaN, so a dashboard shows a gap rather than a false 0.
        p95_.Add(labels).Set(sum.recent_p95.value_or(std::numeric_limits<double>::quiet_NaN()));
        baseline_.Add(labels).Set(sum.baseline.value_or(std::numeric_limits<double>::quiet_NaN()));
        for (const auto& kind : resolution_condition_kinds()) {
            const bool holds =
                std::any_of(view.conditions.begin(), view.conditions.end(), [&](const auto& c) {
                    return c.kind == kind && c.zone == st.zone && c.resolver == st.resolver &&
                           c.vantage == st.vantage;
                });
            auto l = labels;
            l.emplace("condition", kind);
            condition_.Add(l).Set(holds ? 1 : 0);
        }
    }
}

}  // namespace nswatch
