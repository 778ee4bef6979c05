#include "exporter/probe_metrics.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace nswatch {

namespace {

// `le` is inclusive: the first bound at or above the value (prometheus-cpp does the same).
size_t bucket_of(const std::vector<double>& bounds, double value) {
    return static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) -
                               bounds.begin());
}

// Spreads every input bit over the low bits, which pick the slot (splitmix64's finaliser).
size_t mix(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<size_t>(x ^ (x >> 31));
}

}  // namespace

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
                   .Register(*registry_)),
      extended_errors_(prometheus::BuildCounter()
                           .Name("nswatch_extended_errors_total")
                           .Help("Extended DNS Errors (RFC 8914) in the replies of the "
                                 "nameservers, by zone, provider, vantage and INFO-CODE.")
                           .Register(*registry_)),
      series_(buckets_.size() + 1) {
    prometheus::BuildGauge()
        .Name("nswatch_build_info")
        .Help("Always 1; the version of nswatch in a label.")
        .Register(*registry_)
        .Add({{"version", version}})
        .Set(1);
}

void ProbeMetrics::set_shard(uint32_t index, uint32_t count) {
    std::lock_guard lock(shard_mu_);
    if (shard_family_ == nullptr) {
        shard_family_ = &prometheus::BuildGauge()
                             .Name("nswatch_shard_info")
                             .Help(
                                 "Always 1; this instance's shard of the zones (index of count; "
                                 "a zone's shard is Prometheus hashmod of its name).")
                             .Register(*registry_);
    }
    if (shard_gauge_ != nullptr) shard_family_->Remove(shard_gauge_);
    shard_gauge_ =
        &shard_family_->Add({{"index", std::to_string(index)}, {"count", std::to_string(count)}});
    shard_gauge_->Set(1);
}

void ProbeMetrics::Histogram::observe(const std::vector<double>& bounds, double value) {
    if (counts.empty()) counts.resize(bounds.size() + 1);
    ++counts[bucket_of(bounds, value)];
    sum += value;
}

template <class T>
T* ProbeMetrics::Numbered<T>::push() {
    if (size_ % block == 0) blocks_.push_back(std::make_unique<T[]>(block * stride_));
    return row(size_++);
}

template <class T>
uint32_t ProbeMetrics::Numbered<T>::number(const T& v, bool* added) {
    // At most 3/4 full: linear probing stays short.
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(std::max<size_t>(16, slots_.size() * 2));
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash_of(v) & mask;; i = (i + 1) & mask) {
        const uint32_t slot = slots_[i];
        if (slot == 0) {
            *push() = v;
            slots_[i] = static_cast<uint32_t>(size_);
            if (added != nullptr) *added = true;
            return static_cast<uint32_t>(size_ - 1);
        }
        if (*row(slot - 1) == v) {
            if (added != nullptr) *added = false;
            return slot - 1;
        }
    }
}

template <class T>
void ProbeMetrics::Numbered<T>::rehash(size_t slots) {
    slots_.assign(slots, 0);
    const size_t mask = slots - 1;
    for (size_t n = 0; n < size_; ++n) {
        size_t i = hash_of(*row(n)) & mask;
        while (slots_[i] != 0) i = (i + 1) & mask;
        slots_[i] = static_cast<uint32_t>(n + 1);
    }
}

template <>
size_t ProbeMetrics::Numbered<std::string>::hash_of(const std::string& v) {
    return std::hash<std::string>()(v);
}

template <>
size_t ProbeMetrics::Numbered<ProbeMetrics::Where>::hash_of(const Where& v) {
    return mix(mix(uint64_t{v.nameserver} << 32 | v.ip) ^
               (uint64_t{v.provider} << 32 | uint64_t{v.vantage} << 2 |
                uint64_t{v.family == Family::ipv6} << 1 | uint64_t{v.transport == Transport::tcp}));
}

template <>
size_t ProbeMetrics::Numbered<ProbeMetrics::Key>::hash_of(const Key& v) {
    return mix(uint64_t{v.zone} << 32 | v.where);
}

template <>
size_t ProbeMetrics::Numbered<ProbeMetrics::WatchedWhere>::hash_of(const WatchedWhere& v) {
    return mix(uint64_t{v.provider} << 32 ^ uint64_t{v.vantage} << 8 ^
               static_cast<uint64_t>(v.outcome));
}

ProbeMetrics::Name ProbeMetrics::intern(const std::string& s) {
    return names_.number(s);
}

uint32_t ProbeMetrics::series_number(const Target& t) {
    const uint32_t where =
        wheres_.number({intern(t.nameserver), intern(t.address), intern(t.provider),
                        intern(t.vantage), t.family, t.transport});
    bool added = false;
    const uint32_t n = series_.keys.number({intern(t.zone), where}, &added);
    if (added) {
        series_.outcomes.push();
        if (histogram_by_ == HistogramBy::target) {
            series_.durations.push();
            series_.sums.push();
        }
    }
    return n;
}

void ProbeMetrics::count_outcome(Series& s, uint32_t n, Outcome o) {
    Outcomes& c = *s.outcomes.row(n);
    const auto code = static_cast<uint8_t>(o);
    for (size_t i = 0; i < c.count.size(); ++i) {
        if (c.outcome[i] == Outcomes::none) c.outcome[i] = code;
        if (c.outcome[i] == code) {
            ++c.count[i];
            return;
        }
    }
    ++s.extra_outcomes[uint64_t{n} << 8 | code];
}

void ProbeMetrics::observe(const ProbeResult& r) {
    const Target& t = r.target;

    std::lock_guard lock(mu_);
    const uint32_t n = series_number(t);
    count_outcome(series_, n, r.outcome);
    for (const auto& e : r.extended_errors) {
        auto& c = extended_error_children_[{t.zone, t.provider, t.vantage, e.code}];
        if (c == nullptr) {
            c = &extended_errors_.Add({{"zone", t.zone},
                                       {"provider", t.provider},
                                       {"vantage", t.vantage},
                                       {"code", std::to_string(e.code)},
                                       {"name", std::string(extended_error_name(e.code))}});
        }
        c->Increment();
    }
    // A timeout's duration is the timeout we chose, not a latency: it would drag every percentile.
    if (!r.answered()) return;
    if (histogram_by_ == HistogramBy::target) {
        const double rtt = r.rtt_seconds();
        ++series_.durations.row(n)[bucket_of(buckets_, rtt)];
        *series_.sums.row(n) += rtt;
    } else if (histogram_by_ == HistogramBy::provider) {
        provider_histograms_[{t.zone, t.provider, t.vantage, std::string(to_string(t.transport)),
                              std::string(to_string(t.family))}]
            .observe(buckets_, r.rtt_seconds());
    }
}

void ProbeMetrics::add_histogram(prometheus::MetricFamily& f,
                                 std::vector<prometheus::ClientMetric::Label> labels,
                                 const uint32_t* counts, double sum) const {
    prometheus::ClientMetric m;
    m.label = std::move(labels);
    uint64_t cumulative = 0;
    m.histogram.bucket.reserve(buckets_.size() + 1);
    for (size_t i = 0; i <= buckets_.size(); ++i) {
        cumulative += counts[i];
        m.histogram.bucket.push_back({cumulative, i < buckets_.size()
                                                      ? buckets_[i]
                                                      : std::numeric_limits<double>::infinity()});
    }
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = sum;
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
        const Series& s = series_;
        auto extra = s.extra_outcomes.begin();
        const size_t bucket_count = buckets_.size() + 1;
        for (uint32_t n = 0; n < s.keys.size(); ++n) {
            const Key& k = s.keys[n];
            const Where& w = wheres_[k.where];
            // Labels in name order, as prometheus-cpp's own families print them.
            std::vector<prometheus::ClientMetric::Label> labels{
                {"family", std::string(to_string(w.family))},
                {"ip", names_[w.ip]},
                {"nameserver", names_[w.nameserver]},
                {"provider", names_[w.provider]},
                {"transport", std::string(to_string(w.transport))},
                {"vantage", names_[w.vantage]},
                {"zone", names_[k.zone]}};
            // Probes by outcome, in outcome order; outcomes never seen make no series of zeros.
            std::array<uint32_t, outcome_count> by_outcome{};
            const Outcomes& seen = s.outcomes[n];
            for (size_t i = 0; i < seen.count.size(); ++i) {
                if (seen.outcome[i] != Outcomes::none) by_outcome[seen.outcome[i]] = seen.count[i];
            }
            for (; extra != s.extra_outcomes.end() && extra->first >> 8 == n; ++extra) {
                by_outcome[extra->first & 0xff] = extra->second;
            }
            for (size_t o = 0; o < outcome_count; ++o) {
                if (by_outcome[o] == 0) continue;
                prometheus::ClientMetric m;
                m.label = labels;
                m.label.insert(m.label.begin() + 3,
                               {"outcome", std::string(to_string(static_cast<Outcome>(o)))});
                m.counter.value = static_cast<double>(by_outcome[o]);
                probes.metric.push_back(std::move(m));
            }
            if (histogram_by_ != HistogramBy::target) continue;
            // No histogram before the first reply.
            const uint32_t* counts = s.durations.row(n);
            if (std::all_of(counts, counts + bucket_count, [](uint32_t c) { return c == 0; })) {
                continue;
            }
            add_histogram(duration, std::move(labels), counts, s.sums[n]);
        }
        for (const auto& [k, h] : provider_histograms_) {
            add_histogram(duration,
                          {{"family", k[4]},
                           {"provider", k[1]},
                           {"transport", k[3]},
                           {"vantage", k[2]},
                           {"zone", k[0]}},
                          h.counts.data(), h.sum);
        }
        for (uint32_t n = 0; n < s.watched_keys.size(); ++n) {
            const Key& k = s.watched_keys[n];
            const WatchedWhere& w = watched_wheres_[k.where];
            prometheus::ClientMetric m;
            // Labels in name order, as prometheus-cpp's own families print them.
            m.label = {{"outcome", std::string(to_string(w.outcome))},
                       {"provider", names_[w.provider]},
                       {"vantage", names_[w.vantage]},
                       {"zone", names_[k.zone]}};
            m.counter.value = static_cast<double>(s.watched_counts[n]);
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
    const uint32_t where =
        watched_wheres_.number({intern(t.provider), intern(t.vantage), r.outcome});
    bool added = false;
    const uint32_t n = series_.watched_keys.number({intern(t.zone), where}, &added);
    if (added) series_.watched_counts.push();
    ++*series_.watched_counts.row(n);
}

void ProbeMetrics::count_answer_change(const std::string& zone, const std::string& provider) {
    std::lock_guard lock(mu_);
    auto& c = change_children_[{zone, provider}];
    if (c == nullptr) c = &changes_.Add({{"zone", zone}, {"provider", provider}});
    c->Increment();
}

void ProbeMetrics::retain_zones(const std::set<std::string>& zones) {
    std::lock_guard lock(mu_);
    // Copies the series kept into new rows (renumbered: numbers are only positions). Reloads are
    // rare; the copy is one pass.
    std::vector<int8_t> keep_name(names_.size(), -1);  // per zone name: -1 not looked up yet
    auto keep = [&](Name zone) {
        if (keep_name[zone] < 0) keep_name[zone] = zones.count(names_[zone]) != 0 ? 1 : 0;
        return keep_name[zone] == 1;
    };
    const Series& old = series_;
    Series kept(buckets_.size() + 1);
    const size_t bucket_count = buckets_.size() + 1;
    auto extra = old.extra_outcomes.begin();
    for (uint32_t n = 0; n < old.keys.size(); ++n) {
        auto next = extra;
        while (next != old.extra_outcomes.end() && next->first >> 8 == n) ++next;
        if (keep(old.keys[n].zone)) {
            const uint32_t m = kept.keys.number(old.keys[n]);
            *kept.outcomes.push() = old.outcomes[n];
            for (auto it = extra; it != next; ++it) {
                kept.extra_outcomes.emplace(uint64_t{m} << 8 | (it->first & 0xff), it->second);
            }
            if (histogram_by_ == HistogramBy::target) {
                std::copy_n(old.durations.row(n), bucket_count, kept.durations.push());
                *kept.sums.push() = old.sums[n];
            }
        }
        extra = next;
    }
    for (uint32_t n = 0; n < old.watched_keys.size(); ++n) {
        if (!keep(old.watched_keys[n].zone)) continue;
        kept.watched_keys.number(old.watched_keys[n]);
        *kept.watched_counts.push() = old.watched_counts[n];
    }
    series_ = std::move(kept);
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
    for (auto it = extended_error_children_.begin(); it != extended_error_children_.end();) {
        if (zones.count(std::get<0>(it->first)) != 0) {
            ++it;
            continue;
        }
        extended_errors_.Remove(it->second);
        it = extended_error_children_.erase(it);
    }
}

}  // namespace nswatch
