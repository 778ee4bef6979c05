// ResolverProber: the end user's view of the watched zones. Each round it asks every configured
// recursive resolver (from each of its vantages), per zone, the watched names as users ask them
// (RD=1, the cached path) and one cache-busting `<random label>.<zone>` A (the uncached path,
// which makes the resolver reach the zone's authoritatives: the failover probe). Replies are
// judged by resolver/resolution.hpp against what the authoritatives serve, read from the Monitor's
// snapshot, and folded into states whose conditions (resolution_failing, resolution_slow,
// resolution_unverified) are logged when they start and stop, and handed to sinks.
//
// IMPLEMENTATION NOTES
// - Its own ProbeEngine and thread and its own round timer: resolutions take up to the resolver's
//   retry delays (seconds when a provider is dead), which must never hold the authoritative loop.
// - A round runs to completion (every probe answered or timed out) before the next is scheduled,
//   so the resolver sees exactly one uncached name per zone and vantage per round, never a pile-up.
// - Uncached probes set DO so a validating resolver's NSEC records show (RFC 8198 detection);
//   cached probes do not, as users' stub resolvers usually do not.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "monitor/zone_state.hpp"
#include "prober/engine.hpp"
#include "resolver/resolution.hpp"

namespace nswatch {

/// What status, metrics and alerts read: immutable once published.
struct ResolutionView {
    ResolutionTime taken{};                       ///< when it was built
    ResolutionSettings settings;                  ///< the settings it was judged with
    std::vector<ResolverZoneState> states;        ///< per (zone, resolver, vantage), sorted
    std::vector<ResolutionCondition> conditions;  ///< conditions holding at `taken`, sorted
    uint64_t rounds = 0;                          ///< rounds completed
};
using ResolutionViewPtr = std::shared_ptr<const ResolutionView>;

/// Receives each round's judged samples (history, metrics). Called on the prober's thread.
using ResolutionSink = std::function<void(const std::vector<ResolutionSample>&)>;
/// Receives the view after each round (metrics gauges). Called on the prober's thread.
using ResolutionViewSink = std::function<void(const ResolutionView&)>;

/// The requests of one round for one zone (pure: no I/O). `label` is the cache-busting label.
std::vector<ProbeRequest> resolution_requests(const ZoneConfig& zone,
                                              const ResolutionSettings& settings,
                                              const std::string& default_vantage,
                                              const std::string& label);

class ResolverProber {
  public:
    using SnapshotSource = std::function<SnapshotPtr()>;

    ResolverProber(Config config, SnapshotSource snapshot, std::vector<ResolutionSink> sinks = {},
                   std::vector<ResolutionViewSink> view_sinks = {});
    ~ResolverProber();
    ResolverProber(const ResolverProber&) = delete;
    ResolverProber& operator=(const ResolverProber&) = delete;

    /// Run rounds every `resolution.interval` on a thread of its own until stop().
    void start();
    /// Stop the thread; a round in flight finishes first (bounded by the timeout).
    void stop();

    /// Run one round now on the caller's thread (tests, `check`-style one-shots). Not while
    /// started.
    void run_round();

    /// The newest published view (never null).
    ResolutionViewPtr view() const;

    /// Probes sent so far (for the benchmark: resolver load per round).
    uint64_t probes_sent() const;

  private:
    void loop();
    void publish(ResolutionTime now);

    Config config_;
    SnapshotSource snapshot_;
    std::vector<ResolutionSink> sinks_;
    std::vector<ResolutionViewSink> view_sinks_;
    std::unique_ptr<ProbeEngine> engine_;
    ResolutionTracker tracker_;
    std::set<ResolutionCondition> holding_;  ///< conditions as of the last round (to log changes)
    std::mt19937_64 rng_{std::random_device{}()};
    uint64_t rounds_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex view_mutex_;
    ResolutionViewPtr view_;
};

}  // namespace nswatch
