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
/// The zones are scanned (discoveries finished, rounds and discoveries due) when the earliest is
/// due and at least this often, not on every turn of the loop: while probes are in flight the loop
/// turns per reply batch, and scanning 100,000 zones per turn kept a core busy.
constexpr auto kScanEvery = std::chrono::milliseconds(200);
/// With no discovery in flight nothing becomes due unannounced (rounds and discoveries have their
/// times; a round that ends brings the scan forward), so the scan is a safety net only: at 1,000
/// zones the 200 ms scan was 8 % of the daemon's steady-state CPU.
constexpr auto kIdleScanEvery = std::chrono::seconds(1);

bool suggests_delegation_change(const ProbeResult& r) {
    return r.outcome == Outcome::refused || r.outcome == Outcome::not_authoritative ||
           r.outcome == Outcome::nxdomain;
}
}  // namespace

Monitor::Monitor(Config config, std::vector<ResultSink> sinks) : sinks_(std::move(sinks)) {
    apply_config(std::move(config));
    publish();
}

Monitor::~Monitor() {
    // Discovery workers may still be running: wait for them before the engine goes.
    for (auto& z : zones_) {
        if (z->discovering.valid()) z->discovering.wait();
    }
}

void Monitor::apply_config(Config config) {
    std::vector<std::unique_ptr<ZoneRuntime>> next;
    std::unordered_map<std::string, std::unique_ptr<ZoneRuntime>*> current;  // not find_if: O(N²)
    for (auto& z : zones_) current.emplace(z->config.name, &z);
    for (const auto& zc : config.zones) {
        const auto found = current.find(zc.name);
        std::unique_ptr<ZoneRuntime>* it = found == current.end() ? nullptr : found->second;
        if (it != nullptr && *it && (*it)->config.primary == zc.primary) {
            (*it)->config = zc;  // keep tracker, delegation and schedule
            next.push_back(std::move(*it));
            continue;
        }
        std::optional<std::string> primary;
        if (!zc.primary.empty()) primary = zc.primary;
        next.push_back(std::make_unique<ZoneRuntime>(
            ZoneRuntime{zc,
                        ZoneTracker(zc.name, HealthThresholds{}, primary),
                        {},
                        {},
                        {},
                        {},
                        {},
                        0,
                        0,
                        {},
                        {},
                        true,
                        {},
                        false}));
        spdlog::info("zone {}: watching", zc.name);
    }
    for (auto& z : zones_) {
        if (z && z->discovering.valid()) z->discovering.wait();
        if (z) spdlog::info("zone {}: no longer in the config, dropped", z->config.name);
    }
    zones_ = std::move(next);
    // Sorted once here so that publish() need not sort (30 % of the loop at 100,000 zones).
    std::sort(zones_.begin(), zones_.end(),
              [](const auto& a, const auto& b) { return a->config.name < b->config.name; });
    if (!engine_ || config.vantages != config_.vantages) {
        engine_ = std::make_unique<ProbeEngine>(config.vantages);
    }
    config_ = std::move(config);
    engine_->set_max_in_flight(static_cast<size_t>(config_.probe.max_in_flight));
    shared_config_.reset();  // made by the first discovery that needs it (start_discovery)
    hints_ = std::make_shared<const std::vector<RootServer>>(hints_for(config_));
    snapshot_stale_ = true;  // zones may have come or gone
    next_scan_ = {};         // and may be due now
}

Monitor::Steady::duration Monitor::jitter() {
    const double max =
        config_.probe.jitter * std::chrono::duration<double>(config_.probe.interval).count();
    std::uniform_real_distribution<double> d(0.0, std::max(0.0, max));
    return std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(d(rng_)));
}

void Monitor::start_discovery(ZoneRuntime& z, Steady::time_point now) {
    z.next_discovery = now + config_.discovery.interval;
    if (!z.config.nameservers.empty()) {
        // Nameservers listed in the config: nothing to resolve, no worker thread needed.
        std::promise<Delegation> ready;
        ready.set_value(static_delegation(config_, z.config));
        z.discovering = ready.get_future();
        return;
    }
    // The worker shares the config and hints: a reload replaces config_ while it runs. The shared
    // copy is made here, not per reload: with every zone's nameservers listed it is never needed,
    // and it was a second copy of every zone's config.
    if (!shared_config_) shared_config_ = std::make_shared<const Config>(config_);
    z.discovering = std::async(std::launch::async,
                               [config = shared_config_, hints = hints_, zone = z.config.name] {
                                   ProbeEngine engine(config->vantages);
                                   return delegation_for(engine, *config, zone, *hints);
                               });
}

void Monitor::poll_discovery(ZoneRuntime& z, Steady::time_point now) {
    if (!z.discovering.valid() ||
        z.discovering.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        return;
    }
    Delegation d = z.discovering.get();
    DelegationState ds;
    ds.discovered = std::chrono::system_clock::now();
    if (!d.ok()) {
        spdlog::warn("zone {}: discovery failed: {}", z.config.name, d.error);
        ds.error = d.error;
        ds.consistent = z.tracker.state().delegation.consistent;
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
    spdlog::info("zone {}: {} nameservers, {} addresses, {} providers{}", z.config.name,
                 d.nameservers.size(), addresses, d.providers().size(),
                 ds.consistent ? "" : "; parent and zone NS sets differ");
    z.delegation = probing_part(std::move(d));
}

void Monitor::start_round(ZoneRuntime& z, Steady::time_point now) {
    z.next_round = now + config_.probe.interval + jitter();
    RoundOptions ro;
    ro.udp = true;
    ro.tcp = config_.probe.tcp_every > 0 && z.round % config_.probe.tcp_every == 0;
    ++z.round;
    auto requests = soa_requests(*z.delegation, config_, ro);
    if (requests.empty()) return;
    // Watched names every answers_every rounds, and after a serial moved (finish_round).
    z.answers_this_round = z.answer_cadence.start_round(config_.probe.answers_every);
    const auto watched = z.answers_this_round ? watch_requests(*z.delegation, z.config, config_)
                                              : std::vector<ProbeRequest>{};
    z.in_flight = requests.size() + watched.size();
    z.results.clear();
    z.answers.clear();
    ZoneRuntime* zp = &z;
    // Watched names and types over UDP to every address: compared across providers at the end of
    // the round. They are not SOA probes, so they feed neither serial tracking nor history.
    for (const auto& req : watched) {
        engine_->submit(req, [this, zp](const ProbeResult& r) {
            for (const auto& sink : watched_sinks_) sink(r);
            if (r.outcome == Outcome::truncated) return;  // its TCP retry follows
            zp->answers.push_back(r);
            if (zp->in_flight > 0 && --zp->in_flight == 0) finish_round(*zp);
        });
    }
    for (auto& req : requests) {
        engine_->submit(std::move(req), [this, zp](const ProbeResult& r) {
            for (const auto& sink : sinks_) sink(r);
            zp->results.push_back(r);
            if (r.outcome != Outcome::ok && r.outcome != Outcome::truncated) {
                recent_failures_.push_front(r);
                if (recent_failures_.size() > kRecentFailures) recent_failures_.pop_back();
            }
            // A TC retry adds a result without a request of its own: count requests, not results.
            if (r.outcome != Outcome::truncated && zp->in_flight > 0 && --zp->in_flight == 0) {
                finish_round(*zp);
            }
        });
    }
}

void Monitor::finish_round(ZoneRuntime& z) {
    if (z.answers_this_round) {
        const auto comparisons = compare_answers(z.answers);
        // Changes against the last answers (none on the first round: nothing to compare).
        const auto changes = answer_changes(z.tracker.state().answers, comparisons);
        for (const auto& c : changes)
            spdlog::info("zone {}: answer changed: {}", z.config.name, describe(c));
        if (!changes.empty()) {
            for (const auto& sink : answer_change_sinks_) sink(z.config.name, changes);
        }
        z.tracker.set_answers(comparisons);
    }  // else the last comparison stands
    z.tracker.observe(z.results, std::chrono::system_clock::now());
    z.answer_cadence.finish_round(z.results);
    const auto& st = z.tracker.state();
    if (st.answers_consistent != z.answers_consistent) {
        if (st.answers_consistent) {
            spdlog::info("zone {}: watched answers agree again across providers", z.config.name);
        } else {
            for (const auto& d : st.answer_differences)
                spdlog::warn("zone {}: {}", z.config.name, d);
        }
        z.answers_consistent = st.answers_consistent;
    }
    ++rounds_completed_;
    const auto now = Steady::now();
    const bool suspicious =
        std::any_of(z.results.begin(), z.results.end(), suggests_delegation_change);
    if (suspicious && now - z.last_early_discovery > kEarlyDiscoveryGap && !z.discovering.valid()) {
        spdlog::info("zone {}: a server answered as if the delegation changed; discovering again",
                     z.config.name);
        z.last_early_discovery = now;
        z.next_discovery = now;
        next_scan_ = now;
    }
    // The tracker keeps what it needs; the round's raw results would otherwise stay allocated
    // (about 7 results per address with full record sections) until the next round.
    std::vector<ProbeResult>().swap(z.results);
    std::vector<ProbeResult>().swap(z.answers);
    snapshot_stale_ = true;
    // A round that ran past its zone's next start: start the next one without waiting for the
    // next scan.
    next_scan_ = std::min(next_scan_, z.next_round);
}

void Monitor::publish_if_due(Steady::time_point now) {
    if (!snapshot_stale_ || now - last_publish_ < kPublishEvery) return;
    publish();
    last_publish_ = now;
    snapshot_stale_ = false;
}

void Monitor::publish() {
    auto s = std::make_shared<Snapshot>();
    s->taken = std::chrono::system_clock::now();
    s->vantage = config_.get_default_vantage().name;
    s->zones.reserve(zones_.size());
    for (const auto& z : zones_) s->zones.push_back(z->tracker.share());  // zones_ is sorted
    s->recent_failures.assign(recent_failures_.begin(), recent_failures_.end());
    std::lock_guard lock(snapshot_mutex_);
    snapshot_ = std::move(s);
}

SnapshotPtr Monitor::snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
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
                for (const auto& f : reload_sinks_) f(config_);
            } catch (const std::exception& e) {
                spdlog::error("reload failed, keeping the running configuration: {}", e.what());
            }
        }
        const auto now = Steady::now();
        if (now >= next_scan_) {
            auto next_due = now + kIdleScanEvery;
            bool discovering = false;  // a discovery's end is found only by a scan
            for (auto& zp : zones_) {
                ZoneRuntime& z = *zp;
                poll_discovery(z, now);
                if (!z.discovering.valid() && now >= z.next_discovery) start_discovery(z, now);
                if (z.delegation && z.in_flight == 0 && now >= z.next_round) start_round(z, now);
                if (z.delegation && z.in_flight == 0) next_due = std::min(next_due, z.next_round);
                if (!z.discovering.valid()) next_due = std::min(next_due, z.next_discovery);
                discovering = discovering || z.discovering.valid();
            }
            next_scan_ = discovering ? std::min(next_due, now + kScanEvery) : next_due;
        }
        const auto wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(next_scan_ - Steady::now());
        engine_->run_once(
            std::clamp(wait, std::chrono::milliseconds(1), std::chrono::milliseconds(200)));
        publish_if_due(Steady::now());
    }
    // Rounds in flight finish (bounded by the probe timeout) so nothing measured is lost.
    engine_->run_until_idle();
    publish();
}

}  // namespace nswatch
