// Metrics fed at probe time: probes by outcome and the RTT histogram, per target, plus build info.
// Scrape-time state (serials, lag, up/down) comes from SnapshotCollector instead.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "prober/probe_result.hpp"

namespace nswatch {

/// 0.5 ms to 5 s: loopback and anycast answers sit in the first buckets, a dying server in the
/// last.
std::vector<double> default_duration_buckets();

class ProbeMetrics {
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

    /// The registry to serve; it lives as long as any holder of this pointer.
    std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  private:
    static constexpr size_t outcome_count = static_cast<size_t>(Outcome::network_error) + 1;

    /// The exported label values of a target (not its port: two ports would share one series).
    struct Key {
        std::string zone, nameserver, ip, family, transport, provider, vantage;
        auto operator<=>(const Key&) const = default;
    };
    /// A target's series. Family::Add hashes the whole label map, too slow for every probe.
    struct Children {
        prometheus::Histogram* duration = nullptr;                 ///< created with the first reply
        std::array<prometheus::Counter*, outcome_count> probes{};  ///< created per outcome seen
    };

    std::shared_ptr<prometheus::Registry> registry_;
    std::vector<double> buckets_;
    HistogramBy histogram_by_;
    /// provider mode: (zone, provider, vantage, transport, family) -> histogram.
    std::map<std::array<std::string, 5>, prometheus::Histogram*> provider_histograms_;
    prometheus::Family<prometheus::Counter>& probes_;
    prometheus::Family<prometheus::Histogram>& duration_;
    prometheus::Family<prometheus::Counter>& watched_;
    prometheus::Family<prometheus::Counter>& changes_;
    std::mutex mu_;
    std::map<Key, Children> children_;
    /// (zone, provider, vantage, outcome) -> counter; (zone, provider) -> counter.
    std::map<std::array<std::string, 4>, prometheus::Counter*> watched_children_;
    std::map<std::pair<std::string, std::string>, prometheus::Counter*> change_children_;
};

}  // namespace nswatch
