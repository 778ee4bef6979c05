#include "exporter/probe_metrics.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace nswatch {

std::vector<double> default_duration_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

ProbeMetrics::ProbeMetrics(const std::string& version, std::vector<double> duration_buckets,
                           HistogramBy histogram_by)
    : registry_(std::make_shared<prometheus::Registry>()),
      buckets_(std::move(duration_buckets)),
      histogram_by_(histogram_by),
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

void ProbeMetrics::Histogram::observe(const std::vector<double>& bounds, double value) {
    if (counts.empty()) counts.resize(bounds.size() + 1);
    // `le` is inclusive: the first bound at or above the value (prometheus-cpp does the same).
    const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
    ++counts[static_cast<size_t>(bucket)];
    sum += value;
}

ProbeMetrics::Name ProbeMetrics::intern(const std::string& s) {
    auto it = names_.find(s);
    if (it == names_.end()) it = names_.insert(s).first;
    return &*it;
}

void ProbeMetrics::observe(const ProbeResult& r) {
    const Target& t = r.target;
    const auto outcome = static_cast<size_t>(r.outcome);

    std::lock_guard lock(mu_);
    const Key key{intern(t.zone),     intern(t.nameserver), intern(t.address),
                  intern(t.provider), intern(t.vantage),    t.family,
                  t.transport};
    Series& series = series_[key];
    ++series.probes[outcome];
    // A timeout's duration is the timeout we chose, not a latency: it would drag every percentile.
    if (!r.answered()) return;
    if (histogram_by_ == HistogramBy::target) {
        series.duration.observe(buckets_, r.rtt_seconds());
    } else if (histogram_by_ == HistogramBy::provider) {
        provider_histograms_[{t.zone, t.provider, t.vantage, std::string(to_string(t.transport)),
                              std::string(to_string(t.family))}]
            .observe(buckets_, r.rtt_seconds());
    }
}

void ProbeMetrics::add_histogram(prometheus::MetricFamily& f,
                                 std::vector<prometheus::ClientMetric::Label> labels,
                                 const Histogram& h) const {
    prometheus::ClientMetric m;
    m.label = std::move(labels);
    uint64_t cumulative = 0;
    m.histogram.bucket.reserve(h.counts.size());
    for (size_t i = 0; i < h.counts.size(); ++i) {
        cumulative += h.counts[i];
        m.histogram.bucket.push_back({cumulative, i < buckets_.size()
                                                      ? buckets_[i]
                                                      : std::numeric_limits<double>::infinity()});
    }
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = h.sum;
    f.metric.push_back(std::move(m));
}

std::vector<prometheus::MetricFamily> ProbeMetrics::Collect() const {
    prometheus::MetricFamily probes{"nswatch_probes_total",
                                    "Probes sent, by target and outcome.",
                                    prometheus::MetricType::Counter,
                                    {}};
    prometheus::MetricFamily duration{"nswatch_probe_duration_seconds",
                                      "Round-trip time of probes that got a reply, by target.",
                                      prometheus::MetricType::Histogram,
                                      {}};
    prometheus::MetricFamily watched{"nswatch_answer_probes_total",
                                     "Watched-answer probes (names and types compared across "
                                     "providers), by zone, provider, vantage and outcome.",
                                     prometheus::MetricType::Counter,
                                     {}};
    {
        std::lock_guard lock(mu_);
        for (const auto& [k, series] : series_) {
            // Labels in name order, as prometheus-cpp's own families print them.
            std::vector<prometheus::ClientMetric::Label> labels{
                {"family", std::string(to_string(k.family))},
                {"ip", *k.ip},
                {"nameserver", *k.nameserver},
                {"provider", *k.provider},
                {"transport", std::string(to_string(k.transport))},
                {"vantage", *k.vantage},
                {"zone", *k.zone}};
            for (size_t o = 0; o < outcome_count; ++o) {
                if (series.probes[o] == 0) continue;  // never seen: no series of zeros
                prometheus::ClientMetric m;
                m.label = labels;
                m.label.insert(m.label.begin() + 3,
                               {"outcome", std::string(to_string(static_cast<Outcome>(o)))});
                m.counter.value = static_cast<double>(series.probes[o]);
                probes.metric.push_back(std::move(m));
            }
            if (!series.duration.counts.empty()) {
                add_histogram(duration, std::move(labels), series.duration);
            }
        }
        for (const auto& [k, h] : provider_histograms_) {
            add_histogram(duration,
                          {{"family", k[4]},
                           {"provider", k[1]},
                           {"transport", k[3]},
                           {"vantage", k[2]},
                           {"zone", k[0]}},
                          h);
        }
        for (const auto& [k, count] : watched_) {
            prometheus::ClientMetric m;
            // Labels in name order, as prometheus-cpp's own families print them.
            m.label = {{"outcome", std::string(to_string(k.outcome))},
                       {"provider", *k.provider},
                       {"vantage", *k.vantage},
                       {"zone", *k.zone}};
            m.counter.value = static_cast<double>(count);
            watched.metric.push_back(std::move(m));
        }
    }
    std::vector<prometheus::MetricFamily> out;
    if (!probes.metric.empty()) out.push_back(std::move(probes));
    if (!duration.metric.empty()) out.push_back(std::move(duration));
    // Always, as when it was a registered family (HELP and TYPE before the first probe).
    out.push_back(std::move(watched));
    for (auto& f : registry_->Collect()) out.push_back(std::move(f));
    return out;
}

void ProbeMetrics::observe_watched(const ProbeResult& r) {
    const Target& t = r.target;
    std::lock_guard lock(mu_);
    ++watched_[{intern(t.zone), intern(t.provider), intern(t.vantage), r.outcome}];
}

void ProbeMetrics::count_answer_change(const std::string& zone, const std::string& provider) {
    std::lock_guard lock(mu_);
    auto& c = change_children_[{zone, provider}];
    if (c == nullptr) c = &changes_.Add({{"zone", zone}, {"provider", provider}});
    c->Increment();
}

void ProbeMetrics::retain_zones(const std::set<std::string>& zones) {
    std::lock_guard lock(mu_);
    std::erase_if(series_, [&](const auto& kv) { return zones.count(*kv.first.zone) == 0; });
    std::erase_if(watched_, [&](const auto& kv) { return zones.count(*kv.first.zone) == 0; });
    std::erase_if(provider_histograms_,
                  [&](const auto& kv) { return zones.count(kv.first[0]) == 0; });
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
