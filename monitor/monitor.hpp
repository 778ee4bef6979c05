// The monitoring loop behind `nswatch run`: one thread runs the probe engine, the per-zone
// schedule and the checks; discovery runs on a fixed pool of worker threads; results go to sinks
// (history, metrics) and the zone states are published as immutable snapshots.
//
// IMPLEMENTATION NOTES
// - Every probe of a round is in flight at once (bounded by probe.max_in_flight), so a provider
//   that black-holes every packet delays a round by one timeout, not one per address.
// - A round's next start is scheduled from its own start (interval + random jitter), not from its
//   end, so a slow round does not stretch the cadence.
// - Discovery (iterative, seconds when something is dead) never runs on the loop thread: it runs
//   on one of discovery.workers threads (monitor/discovery_pool.hpp), each discovery with its
//   own engine, and the loop collects the results every pass. A fixed pool, because a thread per
//   discovery exhausts the process's memory maps at 100,000 zones.
// - Zones are visited when due, from a min-heap of (time, zone), so the loop's work per interval
//   grows with the number of zones, not with its square (scanning every zone whenever one is due
//   would). A zone with a discovery in flight is visited when its result is collected; a full
//   scan every kFullScanEvery is only a safety net.
// - A finished round marks the snapshot stale; it is rebuilt at most every kPublishEvery, since
//   one publish visits every zone and publishing per finished round would cost O(zones²) per
//   interval. Zone states are shared with the snapshot (copy on write), not copied.
// - The engine caps probes on the wire (probe.max_in_flight): thousands of simultaneous TCP
//   connections to one server make a round fail on its own load.
// - A probe result that suggests the delegation changed (REFUSED, not authoritative, NXDOMAIN for
//   the apex) brings the next discovery forward, at most once per `kEarlyDiscoveryGap`.
// - A round starts only while fewer than kWaitingRoundsFactor x probe.max_in_flight probes wait in
//   the engine's queue; a zone due meanwhile waits in held_ (FIFO, so none starves) and starts as
//   the queue drains, ahead of zones that became due later. Otherwise the first rounds of all
//   zones, due together at start-up, would queue every request at once (millions at 100,000
//   zones, ~0.5 KiB each); in steady state the queue is far below the bound and rounds start on
//   time.
// - The config is held once (config_, shared with discovery workers); a zone points at its entry
//   (re-seated when a reload replaces the config) instead of copying it. A zone whose nameservers
//   the config lists keeps no Delegation: its round builds one from the config into a scratch
//   Delegation, with the providers the static discovery classified (interned, one pointer per
//   nameserver). Only discovered zones keep their probing part.
// - Probe results with outcome local_error (no descriptor or memory here) reach neither the sinks
//   nor the zone's health: they say nothing about the server. They are counted and logged (at most
//   every kLocalErrorLogEvery) and listed among the recent failures, where the cause is named.
// - Descriptors: limit_resources() caps the sockets the engine keeps (and so the probes on the
//   wire) when the open-files limit is short (daemon/descriptor_limit.hpp decides by how much).
// - Freed heap pages go back to the kernel (malloc_trim) after rounds finished, when the engine
//   is idle (at most every 10 s) or every 10 minutes on a loop never idle (monitor/heap_trim.hpp):
//   a round's transient allocations are freed in the middle of the heap, which glibc does not
//   return by itself.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "monitor/answer_cadence.hpp"
#include "monitor/answer_changes.hpp"
#include "monitor/clock.hpp"
#include "monitor/discovery_pool.hpp"
#include "monitor/heap_trim.hpp"
#include "monitor/round_vectors.hpp"
#include "monitor/visit_batch.hpp"
#include "monitor/zone_state.hpp"
#include "monitor/zone_view.hpp"
#include "prober/engine.hpp"

namespace nswatch {

/// Receives every probe result as it completes (history writer, metrics). Called on the loop
/// thread: implementations must not block.
using ResultSink = std::function<void(const ProbeResult&)>;

/// Receives the watched answers that changed between two rounds of a zone (rare). Called on the
/// loop thread.
using AnswerChangeSink =
    std::function<void(const std::string& zone, const std::vector<AnswerChange>& changes)>;

class Monitor {
  public:
    /// Schedules on `clock` (steady) and stamps what it records with it (wall); it must outlive
    /// the monitor.
    Monitor(Config config, std::vector<ResultSink> sinks, const Clock& clock = system_clocks());
    ~Monitor();

    /// Run until `stop` is set. `reload` set: re-read the config through `reload_config` (state and
    /// history of zones that remain are kept).
    void run(const std::atomic<bool>& stop, std::atomic<bool>& reload,
             const std::function<Config()>& reload_config);

    /// One pass of the loop run() repeats: start the discoveries and rounds due at the clock's
    /// time, collect finished discoveries, then wait for probe events at most `max_wait` (less
    /// when something is due sooner) and handle them. Tests call it on a virtual clock.
    void step(std::chrono::milliseconds max_wait);

    /// Where answer changes go besides the log (history, metrics). Set before run().
    void on_answer_changes(AnswerChangeSink sink) {
        answer_change_sinks_.push_back(std::move(sink));
    }
    /// Receives every watched-answer probe result (metrics). Set before run().
    void on_watched_result(ResultSink sink) { watched_sinks_.push_back(std::move(sink)); }
    /// Called on the loop thread after a reload applied a new config (drop removed zones' series).
    void on_reload(std::function<void(const Config&)> f) { reload_sinks_.push_back(std::move(f)); }

    /// Continue each zone's lag clock from before a restart (the alert engine's stored first-seen
    /// times of the serials in flight). Call before run().
    void restore_serial_first_seen(
        const std::map<std::string, std::map<uint32_t, WallTime>>& memory);

    /// The newest published snapshot (never null after construction).
    SnapshotPtr snapshot() const;

    /// Rounds completed over all zones (for tests and logs).
    uint64_t rounds_completed() const { return rounds_completed_; }
    /// Discoveries whose result has been applied (for tests, benchmarks and logs).
    uint64_t discoveries_completed() const { return discoveries_completed_; }
    /// Probes that ended with Outcome::local_error (kept from the sinks and the zones' health).
    uint64_t local_errors() const { return local_errors_; }
    /// Zones whose round is due but waits for room in the engine's queue (loop thread only).
    size_t held_rounds() const { return held_.size(); }

    /// What the host's resources allow (daemon/descriptor_limit.hpp): at most `probe_sockets`
    /// sockets kept by the probe engine (0: no cap), and `discovery_workers` discovery threads (0:
    /// the config's). Call before run(); may be called again after a reload (on_reload).
    void limit_resources(size_t probe_sockets, size_t discovery_workers);

  private:
    using Steady = std::chrono::steady_clock;
    struct ZoneRuntime {
        ZoneRuntime(const ZoneConfig* c, ZoneTracker t) : config(c), tracker(std::move(t)) {}
        const ZoneConfig* config;  ///< the zone's entry in config_ (re-seated on reload)
        ZoneTracker tracker;       ///< folded state
        /// Last successful discovery (its probing part); null for a zone whose static nameservers
        /// are read from the config at round time (static_providers).
        std::unique_ptr<const Delegation> delegation;
        /// Static zone: the provider of each of config->nameservers, in order (interned in
        /// providers_). Non-empty once the static delegation is known.
        std::vector<const std::string*> static_providers;
        bool discovering = false;                   ///< a discovery is queued or running
        uint64_t discovery_ticket = 0;              ///< its ticket in the pool
        Steady::time_point next_discovery{};        ///< when to discover again
        Steady::time_point last_early_discovery{};  ///< last discovery brought forward
        Steady::time_point next_round{};            ///< when the next round starts
        uint64_t round = 0;                         ///< rounds started
        size_t in_flight = 0;                       ///< probes of the current round not yet done
        std::vector<ProbeResult> results;           ///< the current round's SOA results so far
        std::vector<ProbeResult> answers;           ///< the current round's watched-RRset results
        bool answers_consistent = true;             ///< as of the last round (to log changes)
        AnswerCadence answer_cadence;               ///< which rounds probe the watched names
        bool answers_this_round = false;            ///< the current round probes them
        /// The earliest visit queued for this zone in due_ (max: none).
        Steady::time_point queued = Steady::time_point::max();
        bool held = false;  ///< listed in held_ (its round waits for the engine's queue)
        /// The key-set differences (keyset_mismatch) as of the last round, to log new ones.
        std::vector<std::string> keyset_differences;

        /// Nameservers to probe are known (discovered or static).
        bool ready() const { return delegation != nullptr || !static_providers.empty(); }
    };
    using Due = std::pair<Steady::time_point, ZoneRuntime*>;

    void apply_config(Config config);
    void visit(ZoneRuntime& z, Steady::time_point now);
    void queue_visit(ZoneRuntime& z, Steady::time_point when);
    void reset_schedule();
    Steady::time_point run_due(Steady::time_point now);
    void start_discovery(ZoneRuntime& z, Steady::time_point now);
    void collect_discoveries(Steady::time_point now);
    void apply_discovery(ZoneRuntime& z, Delegation d, Steady::time_point now);
    void count_local_error(const ProbeResult& r);
    size_t effective_max_in_flight() const;
    void apply_engine_limits();
    void start_round(ZoneRuntime& z, Steady::time_point now);
    bool engine_has_room() const;
    void start_held(Steady::time_point now);
    const Delegation& probing_delegation(const ZoneRuntime& z);
    Delegation static_probing_part(const ZoneRuntime& z) const;
    void finish_round(ZoneRuntime& z);
    void publish();
    void publish_if_due(Steady::time_point now);
    /// Hand freed heap pages back to the kernel when heap_trim_ says so (monitor/heap_trim.hpp).
    void trim_heap_if_due(Steady::time_point now, bool idle);
    Steady::duration jitter();

    /// The only copy of the config, shared with discovery workers (a reload replaces it; a worker
    /// keeps the one it started with). A copy per worker would cost O(zones²) at start-up.
    std::shared_ptr<const Config> config_;
    const Clock& clock_;
    std::vector<ResultSink> sinks_;
    std::vector<AnswerChangeSink> answer_change_sinks_;
    std::vector<ResultSink> watched_sinks_;
    std::vector<std::function<void(const Config&)>> reload_sinks_;
    std::unique_ptr<ProbeEngine> engine_;
    std::vector<std::unique_ptr<ZoneRuntime>> zones_;
    std::shared_ptr<const std::vector<RootServer>> hints_;
    std::deque<ProbeResult> recent_failures_;
    mutable std::mutex snapshot_mutex_;
    SnapshotPtr snapshot_;
    bool snapshot_stale_ = false;        ///< a round finished since the last publish
    Steady::time_point last_publish_{};  ///< publishes are rate-limited (see publish_if_due)
    /// Zone visits by time; an entry whose time is not its zone's `queued` is stale and skipped.
    std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
    std::unique_ptr<DiscoveryPool> discovery_pool_;  ///< created by the first discovery
    /// Discoveries in flight by ticket; a zone a reload dropped is erased (its result is ignored).
    std::unordered_map<uint64_t, ZoneRuntime*> discovering_;
    size_t probe_socket_limit_ = 0;      ///< limit_resources (0: none)
    size_t discovery_worker_limit_ = 0;  ///< limit_resources (0: the config's)
    std::atomic<uint64_t> discoveries_completed_{0};
    std::atomic<uint64_t> local_errors_{0};
    uint64_t local_errors_logged_ = 0;  ///< local_errors_ at the last log line
    Steady::time_point next_local_error_log_{};
    std::deque<ZoneRuntime*> held_;  ///< zones due whose round waits (engine_has_room)
    /// Provider names of static nameservers, interned: zones point at them. Never shrinks (a
    /// handful of names), so pointers stay valid across reloads.
    std::set<std::string, std::less<>> providers_;
    Delegation static_scratch_;  ///< a static zone's delegation, rebuilt per round (capacity kept)
    Steady::time_point next_full_scan_{};       ///< safety net: every zone visited (kFullScanEvery)
    VisitBatch visit_batch_;                    ///< due rounds start in batches (visit_batch.hpp)
    std::vector<ProbeRequest> round_requests_;  ///< scratch for start_round (capacity reused)
    std::vector<ProbeRequest> watch_scratch_;   ///< scratch for start_round (capacity reused)
    /// Emptied result vectors of finished rounds, capacity kept (round_vectors.hpp).
    RoundVectorPool round_vectors_;
    std::atomic<uint64_t> rounds_completed_{0};
    HeapTrimPolicy heap_trim_;  ///< when finished rounds' freed pages go back to the kernel
    std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace nswatch
