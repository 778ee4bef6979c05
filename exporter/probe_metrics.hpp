// Metrics fed at probe time: probes by outcome and the RTT histogram, per target, plus build info.
// Scrape-time state (serials, lag, up/down) comes from SnapshotCollector instead.
//
// The per-target series are plain counters here, turned into prometheus-cpp metric families at
// Collect(): a prometheus::Family keeps a label map per series (three per target: two outcome
// counters and a histogram), about 2 KiB per target, the largest part of the daemon's memory at
// 1,000 zones. The watched-answer counters likewise (a Family child per zone, provider and
// outcome costs ~700 bytes). Their label values are interned: a series is a zone number and the
// number of its other labels' combination, with its counts in flat blocks of rows (a std::map
// node per target with a heap vector of buckets would cost ~220 bytes more per target).
// Exposition stays prometheus-cpp's (its MetricFamily and serializer).
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "dns/probe_result.hpp"

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

    /// Export nswatch_shard_info{index, count} 1: this instance's part of the zones (config
    /// `shard`). A later call (a reload that changed it) replaces the series. Thread-safe.
    void set_shard(uint32_t index, uint32_t count);

    /// Count one probe, and time it if a reply came; count its Extended DNS Errors (RFC 8914)
    /// by zone, provider, vantage and code. Thread-safe.
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
    static constexpr size_t outcome_count = static_cast<size_t>(kLastOutcome) + 1;

    /// Rows numbered 0, 1, ... in the order they came, kept in fixed blocks (growing never
    /// copies, and never leaves half a doubled vector unused), and found again through an
    /// open-addressing index of row numbers (4 bytes a slot, not a map node per row).
    template <class T>
    class Numbered {
      public:
        static constexpr size_t block = 1024;
        /// `stride`: values per row (a row of histogram buckets is one row of `stride` counts).
        explicit Numbered(size_t stride = 1) : stride_(stride) {}
        size_t size() const { return size_; }
        T* row(size_t n) { return blocks_[n / block].get() + (n % block) * stride_; }
        const T* row(size_t n) const { return blocks_[n / block].get() + (n % block) * stride_; }
        const T& operator[](size_t n) const { return *row(n); }
        /// Appends a value-initialised row (zeros for counts) and returns it.
        T* push();
        /// The number of the row equal to `v`, appended if there is none (`*added` then true).
        /// Only for stride 1. No allocation once `v` is there.
        uint32_t number(const T& v, bool* added = nullptr);

      private:
        void rehash(size_t slots);
        static size_t hash_of(const T& v);
        std::vector<std::unique_ptr<T[]>> blocks_;
        std::vector<uint32_t> slots_;  ///< row number + 1, 0 for a free slot
        size_t stride_;
        size_t size_ = 0;
    };

    using Name = uint32_t;  ///< a number in names_
    /// What a target has besides its zone (its other exported labels; not its port: two ports
    /// share one series). Few: every zone on a provider's nameservers has the same ones.
    struct Where {
        Name nameserver, ip, provider, vantage;
        Family family;
        Transport transport;
        bool operator==(const Where&) const = default;
    };
    /// A series: zone and Where, each a number (8 bytes, not 7 strings or pointers).
    struct Key {
        Name zone;
        uint32_t where;
        bool operator==(const Key&) const = default;
    };
    /// Probes by outcome. Most targets only ever see one or two outcomes (ok, now and then a
    /// timeout): those two are kept here, further ones in extra_outcomes_.
    struct Outcomes {
        static constexpr uint8_t none = 0xff;
        std::array<uint32_t, 2> count{};
        std::array<uint8_t, 2> outcome{none, none};
    };
    /// A watched-answer series: zone, and provider, vantage and outcome as one number.
    struct WatchedWhere {
        Name provider, vantage;
        Outcome outcome;
        bool operator==(const WatchedWhere&) const = default;
    };
    /// Counts of one RTT histogram: per bucket (not cumulative), the last one +Inf. Counts are
    /// 32-bit here and below (half the memory): one probe a second wraps them after 136 years.
    /// Per provider only (http.rtt_histogram: provider); per target they sit in durations_.
    struct Histogram {
        std::vector<uint32_t> counts;
        double sum = 0;
        void observe(const std::vector<double>& bounds, double value);
    };
    using ProviderKey = std::array<std::string, 5>;  ///< zone, provider, vantage, transport, family

    /// The per-target and watched series, numbered; replaced whole by retain_zones.
    struct Series {
        explicit Series(size_t buckets) : durations(buckets) {}
        Numbered<Key> keys;
        Numbered<Outcomes> outcomes;  ///< row n: series n's
        /// Outcomes past a series' first two, by series number << 8 | outcome (ordered: Collect
        /// walks them along the series).
        std::map<uint64_t, uint32_t> extra_outcomes;
        /// Per target RTT histograms (http.rtt_histogram: target): row n is series n's bucket
        /// counts (all zero until its first reply) and sums[n] their sum of seconds.
        Numbered<uint32_t> durations;
        Numbered<double> sums;
        Numbered<Key> watched_keys;  ///< zone and a watched_where_ number
        Numbered<uint64_t> watched_counts;
    };

    Name intern(const std::string& s);        ///< under mu_
    uint32_t series_number(const Target& t);  ///< under mu_; adds its rows if new
    static void count_outcome(Series& s, uint32_t n, Outcome o);

    void add_histogram(prometheus::MetricFamily& f, std::vector<prometheus::ClientMetric::Label> l,
                       const uint32_t* counts, double sum) const;

    std::shared_ptr<prometheus::Registry> registry_;
    std::vector<double> buckets_;
    HistogramBy histogram_by_;
    prometheus::Family<prometheus::Counter>& changes_;
    prometheus::Family<prometheus::Counter>& extended_errors_;
    std::mutex shard_mu_;
    prometheus::Family<prometheus::Gauge>* shard_family_ = nullptr;  ///< made by set_shard
    prometheus::Gauge* shard_gauge_ = nullptr;                       ///< the one series
    mutable std::mutex mu_;
    /// Every label value, once. Names of zones a reload removed stay (a few bytes each).
    Numbered<std::string> names_;
    Numbered<Where> wheres_;
    Numbered<WatchedWhere> watched_wheres_;
    Series series_;
    std::map<ProviderKey, Histogram> provider_histograms_;
    /// (zone, provider) -> counter (answer changes are rare: a Family is fine).
    std::map<std::pair<std::string, std::string>, prometheus::Counter*> change_children_;
    /// (zone, provider, vantage, code) -> counter of Extended DNS Errors (rare: a Family is fine).
    std::map<std::tuple<std::string, std::string, std::string, uint16_t>, prometheus::Counter*>
        extended_error_children_;
};

}  // namespace nswatch
