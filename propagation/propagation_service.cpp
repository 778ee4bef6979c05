#include "propagation/propagation_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "dns/rr_types.hpp"
#include "dns/serial.hpp"

namespace nswatch {

namespace {

constexpr size_t kRecentRuns = 50;
constexpr auto kMaxWait = std::chrono::milliseconds(100);
// Idle (no run, nothing in flight): a NOTIFY or a reload wakes the thread at once, and a new
// snapshot comes at most every 500 ms, so waking 10 times a second only cost CPU (a tenth of the
// daemon's steady state at 1,000 zones).
constexpr auto kIdleWait = std::chrono::milliseconds(500);

const std::vector<double> kBuckets{0.05, 0.1, 0.25, 0.5, 1,   2,    5,   10,
                                   30,   60,  120,  300, 600, 1800, 3600};

NotifyPolicy policy_of(const Config& c) {
    NotifyPolicy p;
    p.allowed_sources = c.notify.allow;
    for (const auto& name : c.notify.keys) {
        if (const TsigKey* k = c.find_key(name)) p.keys.push_back(*k);
    }
    for (const auto& z : c.zones) p.zones.push_back(z.name);
    // The catalogs of zones_from: their NOTIFYs are taken (and handed to their catalog sources).
    for (const auto& catalog : c.inventory.catalogs) p.zones.push_back(catalog.name);
    return p;
}

/// The service reads only the zones' names (policy_of, reloads); their nameservers and watched
/// names would be one more copy of every zone's config (~0.7 KB per zone), and `Config out = c`
/// would make a transient second copy of them all. So every other field is copied by name; the
/// structured binding stops the build when Config gains a field this copy does not name.
Config names_only(const Config& c) {
    const auto& [source, root_hints, vantages, default_vantage, probe, discovery, providers, zones,
                 inventory, thresholds, storage, http, resolution, transfers, keys, notify,
                 propagation, diff, audit, alerts] = c;
    Config out;
    out.source = source;
    out.root_hints = root_hints;
    out.vantages = vantages;
    out.default_vantage = default_vantage;
    out.probe = probe;
    out.discovery = discovery;
    out.providers = providers;
    out.inventory = inventory;
    out.thresholds = thresholds;
    out.storage = storage;
    out.http = http;
    out.resolution = resolution;
    out.transfers = transfers;
    out.keys = keys;
    out.notify = notify;
    out.propagation = propagation;
    out.diff = diff;
    out.audit = audit;
    out.alerts = alerts;
    out.zones.resize(zones.size());
    for (size_t i = 0; i < zones.size(); ++i) out.zones[i].name = zones[i].name;
    return out;
}

bool newer(uint32_t a, uint32_t b) {
    return compare_serials(a, b) == SerialOrder::greater;
}

std::string serial_text(std::optional<uint32_t> s) {
    return s ? std::to_string(*s) : "?";
}

}  // namespace

PropagationService::PropagationService(const Config& config, std::function<SnapshotPtr()> snapshot,
                                       std::vector<PropagationSink> sinks,
                                       std::function<bool(const NotifyEvent&)> intercept)
    : config_(names_only(config)),
      snapshot_(std::move(snapshot)),
      sinks_(std::move(sinks)),
      registry_(std::make_shared<prometheus::Registry>()),
      seconds_(prometheus::BuildHistogram()
                   .Name("nswatch_propagation_seconds")
                   .Help("Seconds from a NOTIFY (or first sighting of a new serial) until the "
                         "last address of a provider served it")
                   .Register(*registry_)),
      runs_(prometheus::BuildCounter()
                .Name("nswatch_propagation_runs_total")
                .Help("Propagation runs finished, by result (complete, deadline, superseded)")
                .Register(*registry_)),
      incomplete_(prometheus::BuildGauge()
                      .Name("nswatch_propagation_incomplete")
                      .Help("1 when the provider's addresses did not all serve the new serial "
                            "before the last run's deadline")
                      .Register(*registry_)),
      last_seconds_(prometheus::BuildGauge()
                        .Name("nswatch_propagation_last_seconds")
                        .Help("Propagation seconds of the provider in the last complete run")
                        .Register(*registry_)),
      notify_messages_(prometheus::BuildCounter()
                           .Name("nswatch_notify_messages_total")
                           .Help("NOTIFY messages received, by verdict (accepted, malformed, "
                                 "refused_source, refused_zone, bad_tsig, bad_time, replayed, ...)")
                           .Register(*registry_)),
      notify_rejected_(prometheus::BuildCounter()
                           .Name("nswatch_notify_rejected_total")
                           .Help("NOTIFY messages not accepted, by reason (malformed, "
                                 "refused_source, unsigned, bad_key, bad_sig, bad_time, "
                                 "replayed, ...)")
                           .Register(*registry_)) {
    engine_ = std::make_unique<ProbeEngine>(config_.vantages);
    if (config_.notify.enabled) {
        NotifyListenerOptions o;
        o.address = config_.notify.address;
        o.port = config_.notify.port;
        o.policy = policy_of(config_);
        listener_ = std::make_unique<NotifyListener>(
            std::move(o), [this, intercept = std::move(intercept)](const NotifyEvent& e) {
                if (!intercept || !intercept(e)) notify(e);
            });
        spdlog::info("notify: listening on {} port {} (udp, tcp)", config_.notify.address,
                     listener_->port());
    }
    for (size_t i = 0; i < NotifyListener::kVerdicts; ++i) {
        const auto v = static_cast<NotifyVerdict>(i);
        notify_messages_.Add({{"verdict", std::string(metric_verdict(v))}});
        if (v != NotifyVerdict::accepted)
            notify_rejected_.Add({{"reason", std::string(to_string(v))}});
    }
    thread_ = std::thread([this] { loop(); });
}

PropagationService::~PropagationService() {
    listener_.reset();
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void PropagationService::notify(const NotifyEvent& event) {
    {
        std::lock_guard lock(mu_);
        events_.push_back(event);
    }
    wake_.notify_one();
}

void PropagationService::reconfigure(const Config& config) {
    {
        std::lock_guard lock(mu_);
        pending_ = names_only(config);
    }
    wake_.notify_one();
}

void PropagationService::take_config() {
    std::optional<Config> c;
    {
        std::lock_guard lock(mu_);
        c.swap(pending_);
    }
    if (!c) return;
    if (c->notify.enabled != config_.notify.enabled ||
        (c->notify.enabled &&
         (c->notify.address != config_.notify.address || c->notify.port != config_.notify.port))) {
        spdlog::warn(
            "notify: turning the listener on or off or moving it needs a restart; it stays as "
            "it was");
        c->notify.enabled = config_.notify.enabled;
        c->notify.address = config_.notify.address;
        c->notify.port = config_.notify.port;
    }
    const bool vantages_changed = !(c->vantages == config_.vantages);
    config_ = std::move(*c);
    if (listener_) listener_->set_policy(policy_of(config_));
    if (vantages_changed) {
        const auto now = PropagationClock::now();
        for (auto& [zone, a] : active_) finish(*a, now, "reloaded");
        active_.clear();
        engine_->run_until_idle();  // late results find no run
        engine_ = std::make_unique<ProbeEngine>(config_.vantages);
    }
    // Zones no longer watched: their runs end, their serials are forgotten.
    std::set<std::string> zones;
    for (const auto& z : config_.zones) zones.insert(z.name);
    const auto now = PropagationClock::now();
    for (auto it = active_.begin(); it != active_.end();) {
        if (zones.contains(it->first)) {
            ++it;
            continue;
        }
        finish(*it->second, now, "reloaded");
        it = active_.erase(it);
    }
    std::erase_if(known_serial_, [&](const auto& kv) { return !zones.contains(kv.first); });
    watched_snapshot_.reset();  // the next snapshot is read in full
    spdlog::info("propagation: reloaded: {} zones, {}", config_.zones.size(),
                 config_.propagation.enabled ? "runs on" : "runs off");
}

std::vector<PropagationRecord> PropagationService::recent() const {
    std::lock_guard lock(recent_mu_);
    return {recent_.begin(), recent_.end()};
}

void PropagationService::loop() {
    while (!stop_) {
        take_config();
        const auto now = PropagationClock::now();
        const SnapshotPtr snap = snapshot_();
        take_events(now, snap);
        if (config_.propagation.enabled) watch_serials(snap);
        auto wake = now + kMaxWait;
        for (auto it = active_.begin(); it != active_.end();) {
            ActiveRun& a = *it->second;
            for (Target& t : a.run.due(now)) {
                ProbeRequest req;
                req.target = std::move(t);
                req.query.name = a.run.zone();
                req.query.type = kTypeSoa;
                req.query.edns = config_.probe.edns;
                req.query.nsid = false;
                req.timeout = config_.probe.timeout;
                engine_->submit(std::move(req),
                                [this, zone = a.run.zone(), id = a.id](const ProbeResult& r) {
                                    auto f = active_.find(zone);
                                    if (f == active_.end() || f->second->id != id) return;
                                    f->second->run.observe(r);
                                    report_providers(*f->second);
                                });
            }
            if (a.run.finished(now)) {
                finish(a, now, a.run.complete() ? "complete" : "deadline");
                it = active_.erase(it);
                continue;
            }
            wake = std::min(wake, a.run.next_wakeup());
            ++it;
        }
        const auto wait = std::clamp(
            std::chrono::duration_cast<std::chrono::milliseconds>(wake - PropagationClock::now()),
            std::chrono::milliseconds(1), kMaxWait);
        if (active_.empty() && engine_->outstanding() == 0) {
            // Idle: sleep until a NOTIFY comes (so its run starts at once) or the next snapshot
            // check is due.
            std::unique_lock lock(mu_);
            wake_.wait_for(lock, kIdleWait, [this] {
                return !events_.empty() || pending_.has_value() || stop_.load();
            });
        } else {
            engine_->run_once(wait);
        }
        export_listener_counts();
    }
    const auto now = PropagationClock::now();
    for (auto& [zone, a] : active_) finish(*a, now, "stopped");
    active_.clear();
    engine_->run_until_idle();
}

void PropagationService::take_events(PropagationTime now, const SnapshotPtr& snap) {
    (void)now;
    std::vector<NotifyEvent> events;
    {
        std::lock_guard lock(mu_);
        events.swap(events_);
    }
    if (!config_.propagation.enabled) return;
    for (const auto& e : events) {
        auto it = active_.find(e.zone);
        if (it != active_.end()) {
            const auto current = it->second->run.serial();
            // A repeated NOTIFY for the serial in progress changes nothing.
            if (!e.serial || (current && !newer(*e.serial, *current))) continue;
        }
        if (e.serial) {
            auto k = known_serial_.find(e.zone);
            if (k != known_serial_.end() && !newer(*e.serial, k->second)) {
                spdlog::info("notify: {} serial {} is not newer than {} already seen: no run",
                             e.zone, *e.serial, k->second);
                continue;
            }
        }
        start_run(e.zone, e.serial, e.received, "notify", e.source, snap);
    }
}

void PropagationService::watch_serials(const SnapshotPtr& snap) {
    if (!snap || snap == watched_snapshot_) return;
    // A zone's state is shared by successive snapshots until a round changes it: a state that is
    // the very object the last snapshot held was read then (held alive by watched_snapshot_, so
    // its address cannot have been reused). Only the zones whose round ended are read again.
    const SnapshotPtr prev = std::move(watched_snapshot_);
    watched_snapshot_ = snap;
    const bool aligned = prev && prev->zones.size() == snap->zones.size();
    for (size_t i = 0; i < snap->zones.size(); ++i) {
        const ZoneState& z = snap->zones[i];
        if (aligned && &prev->zones[i] == &z) continue;
        if (!z.newest_serial) continue;
        auto k = known_serial_.find(z.zone);
        if (k == known_serial_.end()) {
            // The first serial seen is where we start from, not a change.
            known_serial_[z.zone] = *z.newest_serial;
            continue;
        }
        if (!newer(*z.newest_serial, k->second)) continue;
        auto a = active_.find(z.zone);
        if (a != active_.end()) {
            const auto s = a->second->run.serial();
            if (!s || !newer(*z.newest_serial, *s)) continue;
        }
        start_run(z.zone, z.newest_serial, z.newest_first_seen, "poll", "", snap);
    }
}

void PropagationService::start_run(const std::string& zone, std::optional<uint32_t> serial,
                                   PropagationTime started, const std::string& trigger,
                                   const std::string& source, const SnapshotPtr& snap) {
    std::vector<Target> targets;
    const std::string vantage = config_.get_default_vantage().name;
    if (snap) {
        for (const auto& z : snap->zones) {
            if (z.zone != zone) continue;
            for (const auto& t : z.targets) {
                if (t.target.transport == Transport::udp && t.target.vantage == vantage) {
                    targets.push_back(t.target.full());
                }
            }
        }
    }
    if (targets.empty()) {
        spdlog::warn("propagation: {} has no known addresses yet (no round done): no run", zone);
        return;
    }
    std::optional<uint32_t> baseline;
    if (auto k = known_serial_.find(zone); k != known_serial_.end()) baseline = k->second;
    if (auto it = active_.find(zone); it != active_.end()) {
        finish(*it->second, PropagationClock::now(), "superseded");
        active_.erase(it);
    }
    if (serial) known_serial_[zone] = *serial;
    PropagationSettings s;
    s.first_interval = config_.propagation.fast_interval;
    s.max_interval = std::max(config_.propagation.fast_interval, config_.probe.interval);
    s.deadline = config_.propagation.deadline;
    auto a = std::make_unique<ActiveRun>(
        ActiveRun{PropagationRun(zone, serial, baseline, started, trigger, std::move(targets), s),
                  source, next_id_++});
    spdlog::info("propagation: {} serial {} ({}{}): probing {} addresses", zone,
                 serial_text(serial), trigger, source.empty() ? "" : " from " + source,
                 a->run.addresses().size());
    active_[zone] = std::move(a);
}

void PropagationService::report_providers(ActiveRun& a) {
    for (const auto& p : a.run.take_completed_providers()) {
        const std::map<std::string, std::string> labels{
            {"zone", a.run.zone()}, {"provider", p.provider}, {"vantage", p.vantage}};
        seconds_.Add(labels, kBuckets).Observe(*p.seconds);
        last_seconds_.Add(labels).Set(*p.seconds);
        incomplete_.Add(labels).Set(0);
        spdlog::info("propagation: {} serial {} reached {} in {:.3f} s (slowest {})", a.run.zone(),
                     serial_text(a.run.serial()), p.provider, *p.seconds, p.slowest_address);
    }
}

void PropagationService::finish(ActiveRun& a, PropagationTime now, const std::string& reason) {
    if (a.run.serial()) {
        auto& k = known_serial_[a.run.zone()];
        if (newer(*a.run.serial(), k)) k = *a.run.serial();
    }
    PropagationRecord rec;
    rec.zone = a.run.zone();
    rec.serial = a.run.serial();
    rec.trigger = a.run.trigger();
    rec.source = a.source;
    rec.started = a.run.started();
    rec.ended = now;
    rec.complete = a.run.complete();
    rec.end_reason = reason;
    rec.providers = a.run.providers();
    rec.addresses = a.run.addresses();
    runs_.Add({{"zone", rec.zone}, {"result", reason}}).Increment();
    for (const auto& p : rec.providers) {
        if (p.seconds) continue;
        incomplete_.Add({{"zone", rec.zone}, {"provider", p.provider}, {"vantage", p.vantage}})
            .Set(reason == "superseded" ? 0 : 1);
        if (reason == "deadline") {
            spdlog::warn(
                "propagation: {} serial {} did not reach {} within {} s: {} of {} addresses "
                "serve it (lagging: {})",
                rec.zone, serial_text(rec.serial), p.provider,
                std::chrono::duration<double>(config_.propagation.deadline).count(), p.served,
                p.addresses, p.slowest_address);
        }
    }
    for (const auto& sink : sinks_) sink(rec);
    std::lock_guard lock(recent_mu_);
    recent_.push_front(std::move(rec));
    if (recent_.size() > kRecentRuns) recent_.pop_back();
}

void PropagationService::export_listener_counts() {
    if (!listener_) return;
    for (size_t i = 0; i < NotifyListener::kVerdicts; ++i) {
        const auto v = static_cast<NotifyVerdict>(i);
        const uint64_t n = listener_->count(v);
        if (n > exported_counts_[i]) {
            const auto delta = static_cast<double>(n - exported_counts_[i]);
            notify_messages_.Add({{"verdict", std::string(metric_verdict(v))}}).Increment(delta);
            if (v != NotifyVerdict::accepted) {
                notify_rejected_.Add({{"reason", std::string(to_string(v))}}).Increment(delta);
            }
            exported_counts_[i] = n;
        }
    }
}

}  // namespace nswatch
