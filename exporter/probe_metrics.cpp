#include "exporter/probe_metrics.hpp"

#include <utility>

#include "exporter/target_labels.hpp"

namespace nswatch {

std::vector<double> default_duration_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

ProbeMetrics::ProbeMetrics(const std::string& version, std::vector<double> duration_buckets,
                           HistogramBy histogram_by)
    : registry_(std::make_shared<prometheus::Registry>()),
      buckets_(std::move(duration_buckets)),
      histogram_by_(histogram_by),
      probes_(prometheus::BuildCounter()
                  .Name("nswatch_probes_total")
                  .Help("Probes sent, by target and outcome.")
                  .Register(*registry_)),
      duration_(prometheus::BuildHistogram()
                    .Name("nswatch_probe_duration_seconds")
                    .Help("Round-trip time of probes that got a reply, by target.")
                    .Register(*registry_)),
      watched_(prometheus::BuildCounter()
                   .Name("nswatch_answer_probes_total")
                   .Help("Watched-answer probes (names and types compared across providers), by "
                         "zone, provider, vantage and outcome.")
                   .Register(*registry_)),
      changes_(prometheus::BuildCounter()
                   .Name("nswatch_answer_changes_total")
                   .Help("Watched answers that changed from one round to the next, by zone and "
                         "provider.")
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
    if (histogram_by_ == HistogramBy::target) {
        if (c.duration == nullptr) c.duration = &duration_.Add(target_labels(t), buckets_);
        c.duration->Observe(r.rtt_seconds());
    } else if (histogram_by_ == HistogramBy::provider) {
        auto& h = provider_histograms_[{key.zone, key.provider, key.vantage, key.transport,
                                        key.family}];
        if (h == nullptr) {
            h = &duration_.Add({{"zone", key.zone},
                                {"provider", key.provider},
                                {"vantage", key.vantage},
                                {"transport", key.transport},
                                {"family", key.family}},
                               buckets_);
        }
        h->Observe(r.rtt_seconds());
    }
}

void ProbeMetrics::observe_watched(const ProbeResult& r) {
    const Target& t = r.target;
    std::array<std::string, 4> key{t.zone, t.provider, t.vantage,
                                   std::string(to_string(r.outcome))};
    std::lock_guard lock(mu_);
    auto& c = watched_children_[key];
    if (c == nullptr) {
        c = &watched_.Add(
            {{"zone", key[0]}, {"provider", key[1]}, {"vantage", key[2]}, {"outcome", key[3]}});
    }
    c->Increment();
}

void ProbeMetrics::count_answer_change(const std::string& zone, const std::string& provider) {
    std::lock_guard lock(mu_);
    auto& c = change_children_[{zone, provider}];
    if (c == nullptr) c = &changes_.Add({{"zone", zone}, {"provider", provider}});
    c->Increment();
}

void ProbeMetrics::retain_zones(const std::set<std::string>& zones) {
    std::lock_guard lock(mu_);
    for (auto it = children_.begin(); it != children_.end();) {
        if (zones.count(it->first.zone) != 0) {
            ++it;
            continue;
        }
        for (auto* p : it->second.probes) {
            if (p != nullptr) probes_.Remove(p);
        }
        if (it->second.duration != nullptr) duration_.Remove(it->second.duration);
        it = children_.erase(it);
    }
    for (auto it = provider_histograms_.begin(); it != provider_histograms_.end();) {
        if (zones.count(it->first[0]) != 0) {
            ++it;
            continue;
        }
        duration_.Remove(it->second);
        it = provider_histograms_.erase(it);
    }
    for (auto it = watched_children_.begin(); it != watched_children_.end();) {
        if (zones.count(it->first[0]) != 0) {
            ++it;
            continue;
        }
        watched_.Remove(it->second);
        it = watched_children_.erase(it);
    }
    for (auto it = change_children_.begin(); it != change_children_.end();) {
        if (zones.count(it->first.first) != 0) {
            ++it;
            continue;
        }
        changes_.Remove(it->second);
        it = change_children_.erase(it);
    }
}

}  // namespace nswatch
