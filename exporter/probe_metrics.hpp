// Metrics fed at probe time: probes by outcome and the RTT histogram, per target, plus build info.
// Scrape-time state (serials, lag, up/down) comes from SnapshotCollector instead.
//
// The per-target series are plain counters here, turned into prometheus-cpp metric families at
// Collect(): a prometheus::Family keeps a label map per series (three per target: two outcome
// counters and a histogram), about 2 KiB per target, the largest part of the daemon's memory at
// 1,000 zones. The watched-answer counters likewise (a Family child per zone, provider and
// outcome was ~700 bytes). Their label values are interned: a key holds pointers into one set of
// names (every zone, nameserver, address, provider and vantage once), not seven strings.
// Exposition stays prometheus-cpp's (its MetricFamily and serializer).
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "prober/probe_result.hpp"

namespace nswatch {

/// 0.5 ms to 5 s: loopback and anycast answers sit in the first buckets, a dying server in the
/// last.
std::vector<double> default_duration_buckets();

class ProbeMetrics : public prometheus::Collectable {
  public:
    /// `version` goes into nswatch_build_info; `duration_buckets` are upper bounds in seconds.
    /// How finely the RTT histogram is split (config http.rtt_histogram).
    enum class HistogramBy { target, provider, off };

    explicit ProbeMetrics(const std::string& version,
                          std::vector<double> duration_buckets = default_duration_buckets(),
                          HistogramBy histogram_by = HistogramBy::target);

    /// Count one probe, and time it if a reply came. Thread-safe.
    void observe(const ProbeResult& r);
    /// Count one watched-answer probe (a name and type compared across providers), per zone,
    /// provider, vantage and outcome: not per address, they are several per address and round.
    void observe_watched(const ProbeResult& r);
    /// Count answer changes seen for `zone` and `provider`.
    void count_answer_change(const std::string& zone, const std::string& provider);
    /// Drop every series of zones not in `zones` (after a reload removed them), so they do not
    /// stay on /metrics with their last values forever.
    void retain_zones(const std::set<std::string>& zones);

    /// Every family: the per-target series and the registry's. Thread-safe.
    std::vector<prometheus::MetricFamily> Collect() const override;

    /// The registry behind the smaller families; others (resolution probes) register theirs in it
    /// too. Serve this object, not the registry alone: the per-target series are not in it.
    std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  private:
    static constexpr size_t outcome_count = static_cast<size_t>(Outcome::network_error) + 1;

    using Name = const std::string*;  ///< into names_: equal names, equal pointers
    /// The exported label values of a target (not its port: two ports would share one series).
    /// Ordered by pointer: Collect's order is the map's, and /metrics has no order to keep.
    struct Key {
        Name zone, nameserver, ip, provider, vantage;
        Family family;
        Transport transport;
        auto operator<=>(const Key&) const = default;
    };
    /// A watched-answer series: zone, provider, vantage, outcome.
    struct WatchedKey {
        Name zone, provider, vantage;
        Outcome outcome;
        auto operator<=>(const WatchedKey&) const = default;
    };
    /// Counts of one RTT histogram: per bucket (not cumulative), the last one +Inf. Counts are
    /// 32-bit here and below (half the memory): one probe a second wraps them after 136 years.
    struct Histogram {
        std::vector<uint32_t> counts;
        double sum = 0;
        void observe(const std::vector<double>& bounds, double value);
    };
    /// A target's series: probes per outcome (0: never seen, no series) and its RTT histogram.
    struct Series {
        std::array<uint32_t, outcome_count> probes{};
        Histogram duration;  ///< empty until the first reply (and in provider/off modes)
    };
    using ProviderKey = std::array<std::string, 5>;  ///< zone, provider, vantage, transport, family

    Name intern(const std::string& s);  ///< under mu_

    void add_histogram(prometheus::MetricFamily& f, std::vector<prometheus::ClientMetric::Label> l,
                       const Histogram& h) const;

    std::shared_ptr<prometheus::Registry> registry_;
    std::vector<double> buckets_;
    HistogramBy histogram_by_;
    prometheus::Family<prometheus::Counter>& changes_;
    mutable std::mutex mu_;
    /// Every label value in a key, once. Names of zones a reload removed stay (a few bytes each).
    std::set<std::string, std::less<>> names_;
    std::map<Key, Series> series_;
    std::map<ProviderKey, Histogram> provider_histograms_;
    std::map<WatchedKey, uint64_t> watched_;
    /// (zone, provider) -> counter (answer changes are rare: a Family is fine).
    std::map<std::pair<std::string, std::string>, prometheus::Counter*> change_children_;
};

}  // namespace nswatch
