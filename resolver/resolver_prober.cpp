#include "resolver/resolver_prober.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

Target resolver_target(const std::string& zone, const ResolverConfig& r,
                       const std::string& vantage) {
    Target t;
    t.zone = zone;
    t.nameserver = r.name;  // the resolver stands where a nameserver would
    t.address = r.address;
    t.family = r.family;
    t.provider = "resolver";
    t.vantage = vantage;
    t.transport = Transport::udp;
    t.port = r.port;
    return t;
}

Query user_query(std::string name, uint16_t type) {
    Query q;
    q.name = std::move(name);
    q.type = type;
    q.recursion_desired = true;
    q.edns = true;
    q.nsid = false;  // a resolver's NSID says nothing about the zone
    q.dnssec_ok = false;
    return q;
}

// The zone's negative TTL as its authoritatives serve it now: from the newest answered SOA probe.
std::optional<uint32_t> zone_negative_ttl(const ZoneState* z) {
    if (z == nullptr) return std::nullopt;
    std::optional<uint32_t> out;
    for (const auto& t : z->targets) {
        if (t.last.outcome != Outcome::ok || !t.last.soa()) continue;
        const uint32_t n = negative_ttl(*t.last.soa());
        out = out ? std::max(*out, n) : n;
    }
    return out;
}

}  // namespace

std::vector<ProbeRequest> resolution_requests(const ZoneConfig& zone,
                                              const ResolutionSettings& settings,
                                              const std::string& default_vantage,
                                              const std::string& label) {
    std::vector<ProbeRequest> out;
    for (const auto& r : settings.resolvers) {
        std::vector<std::string> vantages = r.vantages;
        if (vantages.empty()) vantages.push_back(default_vantage);
        for (const auto& v : vantages) {
            ProbeRequest uncached;
            uncached.target = resolver_target(zone.name, r, v);
            uncached.query = user_query(label + "." + zone.name, kTypeA);
            uncached.query.dnssec_ok = true;  // show NSEC records: RFC 8198 detection
            uncached.timeout = settings.timeout;
            out.push_back(std::move(uncached));
            for (const auto& w : zone.watch) {
                for (uint16_t type : w.types) {
                    // The apex SOA is what resolvers answer from cache for a day: not a user query.
                    if (type == kTypeSoa) continue;
                    ProbeRequest cached;
                    cached.target = resolver_target(zone.name, r, v);
                    cached.query = user_query(w.owner(zone.name), type);
                    cached.timeout = settings.timeout;
                    out.push_back(std::move(cached));
                }
            }
        }
    }
    return out;
}

ResolverProber::ResolverProber(Config config, SnapshotSource snapshot,
                               std::vector<ResolutionSink> sinks,
                               std::vector<ResolutionViewSink> view_sinks)
    : config_(std::move(config)),
      snapshot_(std::move(snapshot)),
      sinks_(std::move(sinks)),
      view_sinks_(std::move(view_sinks)),
      engine_(std::make_unique<ProbeEngine>(config_.vantages)),
      tracker_(config_.resolution) {
    auto v = std::make_shared<ResolutionView>();
    v->settings = config_.resolution;
    view_ = std::move(v);
}

ResolverProber::~ResolverProber() {
    stop();
}

void ResolverProber::start() {
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] { loop(); });
}

void ResolverProber::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void ResolverProber::loop() {
    using Steady = std::chrono::steady_clock;
    auto next = Steady::now();
    while (!stop_.load()) {
        if (Steady::now() >= next) {
            // Scheduled from the start, like the authoritative rounds: a slow round (a dead
            // provider costs the resolver's retries) does not stretch the cadence.
            next = Steady::now() + config_.resolution.interval;
            try {
                run_round();
            } catch (const std::exception& e) {
                spdlog::error("resolution round failed: {}", e.what());
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

void ResolverProber::run_round() {
    const SnapshotPtr snap = snapshot_ ? snapshot_() : nullptr;
    const std::string default_vantage = config_.get_default_vantage().name;
    struct Pending {
        const ZoneState* zone_state = nullptr;
        std::vector<ProbeResult> results;
    };
    std::map<std::string, Pending> by_zone;
    for (const auto& zone : config_.zones) {
        Pending& p = by_zone[zone.name];
        if (snap) {
            for (const auto& z : snap->zones) {
                if (z.zone == zone.name) p.zone_state = &z;
            }
        }
        const std::string label = cache_busting_label(rng_());
        for (auto& req : resolution_requests(zone, config_.resolution, default_vantage, label)) {
            engine_->submit(std::move(req), [&p](const ProbeResult& r) {
                if (r.outcome == Outcome::truncated) return;  // its TCP retry follows
                p.results.push_back(r);
            });
        }
    }
    engine_->run_until_idle();

    std::vector<ResolutionSample> samples;
    for (auto& [zone, p] : by_zone) {
        const auto neg_ttl = zone_negative_ttl(p.zone_state);
        const auto authoritative =
            p.zone_state ? p.zone_state->answers.expand() : std::vector<AnswerComparison>{};
        // Cached samples grouped per (resolver, vantage): each group replaces the last round's.
        std::map<std::pair<std::string, std::string>, std::vector<ResolutionSample>> cached;
        for (const auto& r : p.results) {
            const bool is_uncached = r.query.dnssec_ok;  // only the uncached probe sets DO
            if (is_uncached) {
                samples.push_back(judge_uncached(r, zone, neg_ttl));
                tracker_.observe_uncached(samples.back());
            } else {
                samples.push_back(judge_cached(r, authoritative));
                cached[{r.target.nameserver, r.target.vantage}].push_back(samples.back());
            }
        }
        for (auto& [key, list] : cached) {
            tracker_.observe_cached_round(zone, key.first, key.second, std::move(list));
        }
    }
    for (const auto& s : samples) {
        if (s.outcome != ResolutionOutcome::ok) {
            spdlog::debug("resolution {} {} via {} from {}: {} {}", to_string(s.path), s.name,
                          s.resolver, s.vantage, to_string(s.outcome), s.detail);
        }
    }
    for (const auto& sink : sinks_) sink(samples);
    ++rounds_;
    publish(std::chrono::system_clock::now());
}

void ResolverProber::publish(ResolutionTime now) {
    tracker_.trim(now);
    auto v = std::make_shared<ResolutionView>();
    v->taken = now;
    v->settings = config_.resolution;
    v->states = tracker_.states();
    v->conditions = evaluate_resolution(v->states, config_.resolution, now);
    v->rounds = rounds_;
    // Log conditions when they start and stop, not every round.
    std::set<ResolutionCondition> now_holding;
    for (const auto& c : v->conditions) {
        ResolutionCondition key = c;
        key.reason.clear();  // the numbers change every round; the condition does not
        now_holding.insert(key);
        if (!holding_.count(key)) {
            spdlog::warn("{}: zone {} via {} from {}: {}", c.kind, c.zone, c.resolver, c.vantage,
                         c.reason);
        }
    }
    for (const auto& c : holding_) {
        if (!now_holding.count(c)) {
            spdlog::info("{} cleared: zone {} via {} from {}", c.kind, c.zone, c.resolver,
                         c.vantage);
        }
    }
    holding_ = std::move(now_holding);
    for (const auto& sink : view_sinks_) sink(*v);
    std::lock_guard lock(view_mutex_);
    view_ = std::move(v);
}

ResolutionViewPtr ResolverProber::view() const {
    std::lock_guard lock(view_mutex_);
    return view_;
}

uint64_t ResolverProber::probes_sent() const {
    return engine_->stats().sent;
}

}  // namespace nswatch
