#include "monitor/monitor.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

namespace nswatch {

namespace {
constexpr auto kEarlyDiscoveryGap = std::chrono::minutes(5);
constexpr auto kDiscoveryRetry = std::chrono::seconds(30);
constexpr size_t kRecentFailures = 50;
constexpr auto kPublishEvery = std::chrono::milliseconds(500);
/// Finished discoveries are collected on every pass of the loop; while some are in flight the loop
/// waits at most this long for probe events, so a result is applied this soon at the latest.
constexpr auto kDiscoveryCollectEvery = std::chrono::milliseconds(200);
/// Probes that ended with local_error are logged as one line at most this often.
constexpr auto kLocalErrorLogEvery = std::chrono::minutes(1);
/// Rounds and discoveries are visited when due (the due_ heap); a full scan of every zone is a
/// safety net only, cheap at this rate even at 100,000 zones.
constexpr auto kFullScanEvery = std::chrono::seconds(30);
/// Rounds start while fewer than this many times probe.max_in_flight probes wait in the engine
/// (a round is ~8-20 probes per address: the bound keeps the queue short, not the wire idle).
constexpr size_t kWaitingRoundsFactor = 4;
/// Zones held back for the engine's queue are looked at again this often (at most).
constexpr auto kHeldPollEvery = std::chrono::milliseconds(10);

/// `d` is the static delegation of `zone` as the config lists it now (same servers, same order):
/// the monitor can then read it from the config at round time.
bool matches_config(const Delegation& d, const ZoneConfig& zone) {
    if (!d.from_config || d.zone != zone.name || d.nameservers.size() != zone.nameservers.size())
        return false;
    for (size_t i = 0; i < d.nameservers.size(); ++i) {
        const auto& a = d.nameservers[i];
        const auto& b = zone.nameservers[i];
        if (a.name != b.name || a.addresses != b.addresses || a.port != b.port) return false;
    }
    return true;
}

// Discover a zone the config lists without nameservers. Not delegation_for: its look-up of the
// zone's static nameservers scans every zone of the config (find_zone), O(zones²) for the
// discoveries of a start-up at 100,000 zones.
Delegation discover_zone(ProbeEngine& engine, const Config& config, const std::string& zone,
                         const std::vector<RootServer>& hints) {
    std::vector<ProviderPattern> patterns;
    for (const auto& rule : config.providers) {
        for (const auto& glob : rule.patterns) patterns.push_back({rule.name, glob});
    }
    DiscoveryOptions opts;
    opts.resolver.timeout = config.discovery.timeout;
    opts.resolver.ipv6 = config.probe.ipv6;
    opts.resolver.vantage = config.get_default_vantage().name;
    opts.ns_query_timeout = config.discovery.timeout;
    return discover_delegation(engine, hints, zone, ProviderClassifier(std::move(patterns)), opts);
}

bool suggests_delegation_change(const ProbeResult& r) {
    return r.outcome == Outcome::refused || r.outcome == Outcome::not_authoritative ||
           r.outcome == Outcome::nxdomain;
}
}  // namespace

Monitor::Monitor(Config config, std::vector<ResultSink> sinks, const Clock& clock)
    : clock_(clock), sinks_(std::move(sinks)) {
    apply_config(std::move(config));
    publish();
}

Monitor::~Monitor() {
    // Running discoveries finish (their results are dropped), queued ones are not started.
    discovery_pool_.reset();
}

void Monitor::apply_config(Config config) {
    std::vector<std::unique_ptr<ZoneRuntime>> next;
    // not find_if: O(N²). The keys point into the running config, alive until the end.
    std::unordered_map<std::string_view, std::unique_ptr<ZoneRuntime>*> current;
    for (auto& z : zones_) current.emplace(z->config->name, &z);
    next.reserve(config.zones.size());
    for (const auto& zc : config.zones) {
        const auto found = current.find(zc.name);
        std::unique_ptr<ZoneRuntime>* it = found == current.end() ? nullptr : found->second;
        if (it != nullptr && *it && (*it)->config->primary == zc.primary) {
            // Keep tracker, delegation and schedule. A static delegation changed by the reload
            // is kept as it was (as a Delegation) until the next discovery, as before: the
            // config it was read from is going away.
            ZoneRuntime& kept = **it;
            kept.tracker.set_thresholds(HealthThresholds{config.probe.rise, config.probe.fall});
            if (!kept.static_providers.empty() && kept.config->nameservers != zc.nameservers) {
                kept.delegation = std::make_unique<const Delegation>(static_probing_part(kept));
                kept.static_providers.clear();
                kept.static_providers.shrink_to_fit();
            }
            next.push_back(std::move(*it));
            continue;
        }
        std::optional<std::string> primary;
        if (!zc.primary.empty()) primary = zc.primary;
        next.push_back(std::make_unique<ZoneRuntime>(
            &zc,
            ZoneTracker(zc.name, HealthThresholds{config.probe.rise, config.probe.fall}, primary)));
        spdlog::info("zone {}: watching", zc.name);
    }
    for (auto& z : zones_) {
        if (z && z->discovering) discovering_.erase(z->discovery_ticket);  // result ignored
        if (z) spdlog::info("zone {}: no longer in the config, dropped", z->config->name);
    }
    zones_.clear();  // before the config they point at goes
    const bool new_engine = !engine_ || !config_ || config.vantages != config_->vantages;
    config_ = std::make_shared<const Config>(std::move(config));
    // next[i] is the runtime of config_->zones[i]: point it at the config it now belongs to.
    for (size_t i = 0; i < next.size(); ++i) next[i]->config = &config_->zones[i];
    zones_ = std::move(next);
    // Sorted once here so that publish() need not sort (30 % of the loop at 100,000 zones).
    std::sort(zones_.begin(), zones_.end(),
              [](const auto& a, const auto& b) { return a->config->name < b->config->name; });
    if (new_engine) engine_ = std::make_unique<ProbeEngine>(config_->vantages);
    apply_engine_limits();
    hints_ = std::make_shared<const std::vector<RootServer>>(hints_for(*config_));
    snapshot_stale_ = true;  // zones may have come or gone
    reset_schedule();        // and may be due now
}

void Monitor::reset_schedule() {
    // The heap may point at zones the reload dropped: start afresh with a full scan, which
    // queues every zone again (discoveries in flight stay in discovering_, keyed by ticket).
    due_ = {};
    held_.clear();
    visit_batch_.reset();
    for (auto& z : zones_) {
        z->queued = Steady::time_point::max();
        z->held = false;
    }
    next_full_scan_ = {};
}

void Monitor::queue_visit(ZoneRuntime& z, Steady::time_point when) {
    if (when >= z.queued) return;  // an earlier visit is queued: it queues the next one
    z.queued = when;
    due_.emplace(when, &z);
}

// Everything the loop does for one zone: start a discovery or a round that is due, and queue the
// next visit.
void Monitor::visit(ZoneRuntime& z, Steady::time_point now) {
    if (!z.discovering && now >= z.next_discovery) start_discovery(z, now);
    if (z.ready() && z.in_flight == 0 && now >= z.next_round && !z.held) {
        if (held_.empty() && engine_has_room()) {
            start_round(z, now);
        } else {
            held_.push_back(&z);  // after the zones held before it: start_held starts it
            z.held = true;
        }
    }
    // else finish_round or start_held does
    if (z.ready() && z.in_flight == 0 && !z.held) queue_visit(z, z.next_round);
    // A discovery in flight: collect_discoveries visits the zone when it ends.
    if (!z.discovering) queue_visit(z, z.next_discovery);
}

bool Monitor::engine_has_room() const {
    const size_t max = effective_max_in_flight();
    return max == 0 || engine_->waiting() < kWaitingRoundsFactor * max;
}

// probe.max_in_flight, lowered to the socket cap: with no more probes on the wire than sockets
// allowed, the engine can always close an idle socket for the next probe (never all are busy).
size_t Monitor::effective_max_in_flight() const {
    const auto configured = static_cast<size_t>(config_->probe.max_in_flight);
    if (probe_socket_limit_ == 0) return configured;
    return configured == 0 ? probe_socket_limit_ : std::min(configured, probe_socket_limit_);
}

void Monitor::apply_engine_limits() {
    engine_->set_max_open_channels(probe_socket_limit_);
    engine_->set_max_in_flight(effective_max_in_flight());
}

void Monitor::limit_resources(size_t probe_sockets, size_t discovery_workers) {
    probe_socket_limit_ = probe_sockets;
    discovery_worker_limit_ = discovery_workers;
    apply_engine_limits();
}

// Start the rounds held back while the engine's queue was long, oldest first, as far as it has
// room now.
void Monitor::start_held(Steady::time_point now) {
    while (!held_.empty() && engine_has_room()) {
        ZoneRuntime& z = *held_.front();
        held_.pop_front();
        z.held = false;
        if (z.ready() && z.in_flight == 0 && now >= z.next_round) start_round(z, now);
        if (z.ready() && z.in_flight == 0) queue_visit(z, z.next_round);  // else finish_round does
    }
}

// Visit what is due; return when the loop should look again.
Monitor::Steady::time_point Monitor::run_due(Steady::time_point now) {
    start_held(now);  // before zones that became due later
    if (now >= next_full_scan_) {
        next_full_scan_ = now + kFullScanEvery;
        for (auto& z : zones_) visit(*z, now);
    }
    collect_discoveries(now);
    // Rounds due close together start together (monitor/visit_batch.hpp).
    const auto horizon = visit_batch_.horizon(now);
    bool visited = false;
    while (!due_.empty() && due_.top().first <= horizon) {
        const auto [when, z] = due_.top();
        due_.pop();
        if (when != z->queued) continue;  // superseded by an earlier visit
        z->queued = Steady::time_point::max();
        visit(*z, now);
        visited = true;
    }
    visit_batch_.visited(now, visited, VisitBatch::window_for(config_->probe.interval));
    auto next = next_full_scan_;
    if (!due_.empty()) next = std::min(next, visit_batch_.wake_for(due_.top().first));
    if (!discovering_.empty()) next = std::min(next, now + kDiscoveryCollectEvery);
    // The engine's queue drains as replies arrive (run_once returns on them): look again soon.
    if (!held_.empty()) next = std::min(next, now + kHeldPollEvery);
    return next;
}

Monitor::Steady::duration Monitor::jitter() {
    const double max =
        config_->probe.jitter * std::chrono::duration<double>(config_->probe.interval).count();
    std::uniform_real_distribution<double> d(0.0, std::max(0.0, max));
    return std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(d(rng_)));
}

void Monitor::start_discovery(ZoneRuntime& z, Steady::time_point now) {
    z.next_discovery = now + config_->discovery.interval;
    if (!z.config->nameservers.empty()) {
        // Nameservers listed in the config: nothing to resolve, no worker thread needed.
        apply_discovery(z, static_delegation(*config_, *z.config), now);
        return;
    }
    if (!discovery_pool_) {
        const auto configured = static_cast<size_t>(std::max(config_->discovery.workers, 1));
        const size_t workers = discovery_worker_limit_ == 0
                                   ? configured
                                   : std::min(configured, discovery_worker_limit_);
        discovery_pool_ = std::make_unique<DiscoveryPool>(workers);
        discovery_pool_->maintain(now);
    }
    // The job shares the config and hints: a reload replaces config_ while it waits or runs. Its
    // engine lives for the one discovery, so its sockets are closed when it ends.
    z.discovery_ticket =
        discovery_pool_->submit([config = config_, hints = hints_, zone = z.config->name] {
            ProbeEngine engine(config->vantages);
            return discover_zone(engine, *config, zone, *hints);
        });
    z.discovering = true;
    discovering_.emplace(z.discovery_ticket, &z);
}

// Apply the discoveries that ended, and visit their zones (a first round may be due).
void Monitor::collect_discoveries(Steady::time_point now) {
    if (!discovery_pool_) return;
    discovery_pool_->maintain(now);  // workers whose start failed are tried again
    for (auto& done : discovery_pool_->take_finished()) {
        const auto it = discovering_.find(done.ticket);
        if (it == discovering_.end()) continue;  // its zone was dropped by a reload
        ZoneRuntime& z = *it->second;
        discovering_.erase(it);
        z.discovering = false;
        if (!done.local_error.empty()) {
            // A resource of this host, not the zone: its state is left as it was.
            spdlog::warn("zone {}: discovery could not run here: {}; trying again in {} s",
                         z.config->name, done.local_error,
                         std::chrono::duration_cast<std::chrono::seconds>(kDiscoveryRetry).count());
            z.next_discovery = std::min(z.next_discovery, now + kDiscoveryRetry);
        } else {
            apply_discovery(z, std::move(done.delegation), now);
        }
        visit(z, now);
    }
}

// A finished discovery's result goes into the zone's tracker and its probing delegation.
void Monitor::apply_discovery(ZoneRuntime& z, Delegation d, Steady::time_point now) {
    ++discoveries_completed_;
    DelegationState ds;
    ds.discovered = clock_.wall();
    ds.missing = d.missing.reason;
    ds.missing_detail = d.missing.detail;
    if (d.missing.missing()) {
        spdlog::error("zone {}: delegation missing ({}): {}", z.config->name,
                      to_string(d.missing.reason), d.missing.detail);
    }
    if (!d.ok()) {
        if (!d.missing.missing())
            spdlog::warn("zone {}: discovery failed: {}", z.config->name, d.error);
        ds.error = d.error;
        // No delegation at the parent: nothing agrees with the zone's NS set. Could not ask: the
        // last comparison stands.
        ds.consistent = !d.missing.missing() && z.tracker.state().delegation.consistent;
        z.tracker.set_delegation(ds);
        // Keep probing the last known nameservers; try discovery again soon.
        z.next_discovery = std::min(z.next_discovery, now + kDiscoveryRetry);
        return;
    }
    ds.consistent = d.ns_sets_agree();
    ds.only_in_parent = d.only_in_parent();
    ds.only_in_child = d.only_in_child();
    z.tracker.set_delegation(ds);
    size_t addresses = 0;
    for (const auto& ns : d.nameservers) addresses += ns.addresses.size();
    spdlog::info("zone {}: {} nameservers, {} addresses, {} providers{}", z.config->name,
                 d.nameservers.size(), addresses, d.providers().size(),
                 ds.consistent ? "" : "; parent and zone NS sets differ");
    if (matches_config(d, *z.config)) {
        // Static: the config has the rest; keep only what it does not say (the providers).
        z.static_providers.clear();
        z.static_providers.reserve(d.nameservers.size());
        for (const auto& ns : d.nameservers) {
            auto it = providers_.find(ns.provider);
            if (it == providers_.end()) it = providers_.insert(ns.provider).first;
            z.static_providers.push_back(&*it);
        }
        z.delegation.reset();
        return;
    }
    z.delegation = std::make_unique<const Delegation>(probing_part(std::move(d)));
    std::vector<const std::string*>().swap(z.static_providers);
}

// What soa_requests and watch_requests read of a static zone, built into a scratch Delegation whose
// capacity is reused round after round.
const Delegation& Monitor::probing_delegation(const ZoneRuntime& z) {
    if (z.delegation) return *z.delegation;
    Delegation& d = static_scratch_;
    const auto& servers = z.config->nameservers;
    d.zone.assign(z.config->name);
    d.from_config = true;
    d.nameservers.resize(servers.size());
    for (size_t i = 0; i < servers.size(); ++i) {
        NameserverInfo& n = d.nameservers[i];
        n.name.assign(servers[i].name);
        n.addresses.resize(servers[i].addresses.size());
        for (size_t a = 0; a < servers[i].addresses.size(); ++a)
            n.addresses[a].assign(servers[i].addresses[a]);
        n.provider.assign(*z.static_providers[i]);
        n.port = servers[i].port;
        n.in_parent = n.in_child = true;
    }
    return d;
}

// The same as a Delegation of its own (probing_part's form), for a zone that keeps it.
Delegation Monitor::static_probing_part(const ZoneRuntime& z) const {
    Delegation d;
    d.zone = z.config->name;
    d.from_config = true;
    for (size_t i = 0; i < z.config->nameservers.size(); ++i) {
        const auto& s = z.config->nameservers[i];
        NameserverInfo n;
        n.name = s.name;
        n.addresses = s.addresses;
        n.provider = *z.static_providers[i];
        n.port = s.port;
        n.in_parent = n.in_child = true;
        d.nameservers.push_back(std::move(n));
    }
    return d;
}

void Monitor::start_round(ZoneRuntime& z, Steady::time_point now) {
    z.next_round = now + config_->probe.interval + jitter();
    RoundOptions ro;
    ro.udp = true;
    ro.tcp = config_->probe.tcp_every > 0 && z.round % config_->probe.tcp_every == 0;
    ++z.round;
    // Built into scratch vectors whose capacity is reused: a fresh vector of requests per round
    // was a large allocation each time (malloc consolidating its free lists).
    auto& requests = round_requests_;
    const Delegation& d = probing_delegation(z);
    soa_requests(d, *config_, ro, requests);
    if (requests.empty()) return;
    // Watched names every answers_every rounds, and after a serial moved (finish_round).
    z.answers_this_round = z.answer_cadence.start_round(config_->probe.answers_every);
    auto& watched = watch_scratch_;
    watched.clear();
    if (z.answers_this_round) watch_requests(d, *z.config, *config_, watched);
    // Nothing in the daemon reads an ok reply's authority or additional section (failures keep
    // theirs for the status page): not converting them saves most of the parsing.
    for (auto& r : requests) r.ok_extra_sections = false;
    for (auto& r : watched) r.ok_extra_sections = false;
    z.in_flight = requests.size() + watched.size();
    // Sized up front (growing them result by result moves every result several times), from the
    // vectors finished rounds gave back.
    round_vectors_.give_back(z.results);
    round_vectors_.give_back(z.answers);
    z.results = round_vectors_.take(requests.size());
    if (!watched.empty()) z.answers = round_vectors_.take(watched.size());
    ZoneRuntime* zp = &z;
    // Watched names and types over UDP to every address: compared across providers at the end of
    // the round. They are not SOA probes, so they feed neither serial tracking nor history.
    for (auto& req : watched) {
        engine_->submit(std::move(req), [this, zp](ProbeResult& r) {
            if (r.outcome == Outcome::local_error) {
                count_local_error(r);
                if (zp->in_flight > 0 && --zp->in_flight == 0) finish_round(*zp);
                return;
            }
            for (const auto& sink : watched_sinks_) sink(r);
            if (r.outcome == Outcome::truncated) return;  // its TCP retry follows
            zp->answers.push_back(std::move(r));          // the engine is done with it
            if (zp->in_flight > 0 && --zp->in_flight == 0) finish_round(*zp);
        });
    }
    for (auto& req : requests) {
        engine_->submit(std::move(req), [this, zp](ProbeResult& r) {
            if (r.outcome == Outcome::local_error) {
                // Not the server's doing: no history, no metrics, no health verdict from it.
                count_local_error(r);
                if (zp->in_flight > 0 && --zp->in_flight == 0) finish_round(*zp);
                return;
            }
            for (const auto& sink : sinks_) sink(r);
            if (r.outcome != Outcome::ok && r.outcome != Outcome::truncated) {
                recent_failures_.push_front(r);
                if (recent_failures_.size() > kRecentFailures) recent_failures_.pop_back();
            }
            // A TC retry adds a result without a request of its own: count requests, not results.
            const bool counts = r.outcome != Outcome::truncated;
            zp->results.push_back(std::move(r));  // the engine is done with it
            if (counts && zp->in_flight > 0 && --zp->in_flight == 0) {
                finish_round(*zp);
            }
        });
    }
}

void Monitor::count_local_error(const ProbeResult& r) {
    ++local_errors_;
    recent_failures_.push_front(r);  // the status page names the local cause
    if (recent_failures_.size() > kRecentFailures) recent_failures_.pop_back();
    const auto now = clock_.steady();
    if (now < next_local_error_log_) return;
    next_local_error_log_ = now + kLocalErrorLogEvery;
    spdlog::warn(
        "{} probes could not be sent for a local reason (not counted against servers), "
        "e.g. {}",
        local_errors_ - local_errors_logged_, describe(r));
    local_errors_logged_ = local_errors_;
}

void Monitor::finish_round(ZoneRuntime& z) {
    if (z.answers_this_round) {
        const auto comparisons = compare_answers(z.answers);
        KeptAnswers packed(comparisons);
        // Changes against the last answers (none on the first round: nothing to compare). The
        // same packed answers as last time hold no change: most rounds, and no unpacking.
        if (!packed.same_as(z.tracker.state().answers)) {
            const auto changes = answer_changes(z.tracker.state().answers.expand(), comparisons);
            for (const auto& c : changes)
                spdlog::info("zone {}: answer changed: {}", z.config->name, describe(c));
            if (!changes.empty()) {
                for (const auto& sink : answer_change_sinks_) sink(z.config->name, changes);
            }
        }
        z.tracker.set_answers(comparisons, std::move(packed));
        // Signatures are judged with the DNSKEY set asked in the same round, so only now.
        if (config_->probe.dnssec_ok) {
            z.tracker.set_signatures(
                check_provider_signatures(z.config->name, z.results, z.answers, clock_.wall()));
        }
    }  // else the last comparison stands
    // Each address and provider going down or up is logged once, at the transition.
    for (const auto& c : z.tracker.observe(z.results, clock_.wall())) {
        if (c.up) {
            spdlog::info("{}", c.describe());
        } else {
            spdlog::warn("{}", c.describe());
        }
    }
    z.answer_cadence.finish_round(z.results);
    const auto& st = z.tracker.state();
    if (st.answers_consistent != z.answers_consistent) {
        if (st.answers_consistent) {
            spdlog::info("zone {}: watched answers agree again across providers", z.config->name);
        } else {
            for (const auto& d : st.answer_differences)
                spdlog::warn("zone {}: {}", z.config->name, d);
        }
        z.answers_consistent = st.answers_consistent;
    }
    // Key sets told per provider (keyset_mismatch): each new difference logged once.
    std::vector<std::string> keyset_differences;
    for (const auto& k : st.keysets) {
        if (!k.missing.empty()) keyset_differences.push_back(describe(k));
    }
    if (keyset_differences != z.keyset_differences) {
        for (const auto& d : keyset_differences) {
            if (std::find(z.keyset_differences.begin(), z.keyset_differences.end(), d) ==
                z.keyset_differences.end())
                spdlog::warn("zone {}: DNSSEC key sets differ: {}", z.config->name, d);
        }
        if (keyset_differences.empty()) {
            spdlog::info("zone {}: DNSSEC key sets agree again across providers", z.config->name);
        }
        z.keyset_differences = std::move(keyset_differences);
    }
    ++rounds_completed_;
    const auto now = clock_.steady();
    const bool suspicious =
        std::any_of(z.results.begin(), z.results.end(), suggests_delegation_change);
    if (suspicious && now - z.last_early_discovery > kEarlyDiscoveryGap && !z.discovering) {
        spdlog::info("zone {}: a server answered as if the delegation changed; discovering again",
                     z.config->name);
        z.last_early_discovery = now;
        z.next_discovery = now;
        queue_visit(z, now);
    }
    // The tracker keeps what it needs; the round's raw results would otherwise stay allocated
    // (about 7 results per address with full record sections) until the next round. The emptied
    // vectors serve the next rounds of any zone.
    round_vectors_.give_back(z.results);
    round_vectors_.give_back(z.answers);
    snapshot_stale_ = true;
    queue_visit(z, z.next_round);  // at once if the round ran past its zone's next start
}

void Monitor::publish_if_due(Steady::time_point now) {
    if (!snapshot_stale_ || now - last_publish_ < kPublishEvery) return;
    publish();
    last_publish_ = now;
    snapshot_stale_ = false;
}

void Monitor::publish() {
    auto s = std::make_shared<Snapshot>();
    s->taken = clock_.wall();
    s->vantage = config_->get_default_vantage().name;
    s->zones.reserve(zones_.size());
    for (const auto& z : zones_) s->zones.push_back(z->tracker.share());  // zones_ is sorted
    s->recent_failures.assign(recent_failures_.begin(), recent_failures_.end());
    std::lock_guard lock(snapshot_mutex_);
    snapshot_ = std::move(s);
}

void Monitor::restore_serial_first_seen(
    const std::map<std::string, std::map<uint32_t, WallTime>>& memory) {
    for (auto& z : zones_) {
        auto it = memory.find(z->config->name);
        if (it != memory.end()) z->tracker.restore_serial_first_seen(it->second);
    }
}

void Monitor::step(std::chrono::milliseconds max_wait) {
    const auto next = run_due(clock_.steady());
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - clock_.steady());
    const auto most = std::max(max_wait, std::chrono::milliseconds(1));
    const size_t outstanding =
        engine_->run_once(std::clamp(wait, std::chrono::milliseconds(1), most));
    publish_if_due(clock_.steady());
    trim_heap_if_due(clock_.steady(), outstanding == 0);
}

SnapshotPtr Monitor::snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
}

void Monitor::trim_heap_if_due(Steady::time_point now, bool idle) {
    const uint64_t rounds = rounds_completed_;
    if (!heap_trim_.due(now, rounds, idle)) return;
    // How long the trim itself takes is real time, whatever clock schedules the loop.
    const auto t0 = std::chrono::steady_clock::now();
    const bool released = release_free_heap();
    heap_trim_.trimmed(now, rounds);
    spdlog::debug(
        "heap trim: {} in {:.1f} ms", released ? "pages released" : "nothing to release",
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
}

void Monitor::run(const std::atomic<bool>& stop, std::atomic<bool>& reload,
                  const std::function<Config()>& reload_config) {
    while (!stop.load()) {
        if (reload.exchange(false)) {
            try {
                Config next = reload_config();
                engine_->run_until_idle();  // finish rounds in flight against the old config
                apply_config(std::move(next));
                spdlog::info("configuration reloaded: {} zones", zones_.size());
                for (const auto& f : reload_sinks_) f(*config_);
            } catch (const std::exception& e) {
                spdlog::error("reload failed, keeping the running configuration: {}", e.what());
            }
        }
        step(std::chrono::milliseconds(200));
    }
    // Rounds in flight finish (bounded by the probe timeout) so nothing measured is lost.
    engine_->run_until_idle();
    publish();
}

}  // namespace nswatch
