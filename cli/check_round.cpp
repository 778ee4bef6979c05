#include "cli/check_round.hpp"

#include <algorithm>
#include <deque>
#include <memory>
#include <tuple>

#include "config/zone_index.hpp"

namespace nswatch {

namespace {

/// The order `check` shows a zone's probes in (and the serial round reads them in).
bool shown_before(const ProbeResult& a, const ProbeResult& b) {
    return std::tie(a.target.provider, a.target.nameserver, a.target.family, a.target.address,
                    a.target.transport, a.retried_from_tc) <
           std::tie(b.target.provider, b.target.nameserver, b.target.family, b.target.address,
                    b.target.transport, b.retried_from_tc);
}

void judge(ZoneView& v, const ZoneConfig* zc, const Config& config) {
    std::sort(v.results.begin(), v.results.end(), shown_before);
    std::optional<std::string_view> primary;
    if (zc != nullptr && !zc->primary.empty()) primary = zc->primary;
    v.round = evaluate_serial_round(v.results, primary);

    ZoneCheckInput in;
    in.zone = v.delegation.zone;
    in.discovery_error = v.delegation.error;
    in.delegation_missing = v.delegation.missing;
    in.only_in_parent = v.delegation.only_in_parent();
    in.only_in_child = v.delegation.only_in_child();
    in.providers = v.delegation.providers();
    for (const auto& ns : v.delegation.nameservers) {
        if (ns.addresses.empty()) in.nameservers_without_address.push_back(ns.name);
    }
    in.results = std::move(v.results);  // lent to the verdict, not copied
    in.round = v.round;
    in.rtt_warning = zc ? config.thresholds_for(*zc).rtt_warning : config.thresholds.rtt_warning;
    v.verdict = judge_zone_check(in);
    v.results = std::move(in.results);
}

}  // namespace

namespace {

/// A zone between its first request and its hand-over.
struct PendingZone {
    size_t index = 0;
    const ZoneConfig* config = nullptr;
    ZoneView view;
    size_t waiting = 0;  ///< results still to come
};

}  // namespace

void check_round_each(ProbeEngine& engine, const Config& config,
                      const std::vector<std::string>& zones, const std::vector<RootServer>& hints,
                      const RoundOptions& round,
                      const std::function<void(size_t, ZoneView&)>& done) {
    const ZoneIndex index(config);
    const ProviderClassifier providers = provider_classifier(config);
    std::vector<const ZoneConfig*> configured(zones.size());
    // Zones without static nameservers are discovered first, zone by zone (discovery runs the
    // engine itself); the others' delegations are built when their requests are.
    std::vector<std::pair<size_t, Delegation>> discovered;
    for (size_t i = 0; i < zones.size(); ++i) {
        configured[i] = index.find(zones[i]);
        const ZoneConfig* z = configured[i];
        if (z == nullptr || z->nameservers.empty()) {
            // What delegation_for decides, without its scan of the config's zones.
            discovered.emplace_back(i, delegation_for(engine, config, zones[i], hints));
        }
    }

    // A window of requests, not all of them: the engine holds each waiting request whole.
    const size_t window = static_cast<size_t>(std::max(1, config.probe.max_in_flight));
    std::vector<ProbeRequest> requests;
    std::deque<std::unique_ptr<PendingZone>> active;  // in the order of `zones`
    std::vector<std::unique_ptr<PendingZone>> spare;  // handed over, kept for their capacity
    size_t next = 0;
    size_t next_discovered = 0;
    auto top_up = [&] {
        while (next < zones.size() && engine.outstanding() < window) {
            std::unique_ptr<PendingZone> p;
            if (spare.empty()) {
                p = std::make_unique<PendingZone>();
            } else {
                p = std::move(spare.back());
                spare.pop_back();
            }
            p->index = next;
            p->config = configured[next];
            ZoneView& v = p->view;
            if (next_discovered < discovered.size() && discovered[next_discovered].first == next) {
                v.delegation = std::move(discovered[next_discovered++].second);
            } else {
                v.delegation = static_delegation(*p->config, providers);
            }
            v.results.clear();  // keeps its capacity
            v.round = {};
            v.verdict = {};
            ++next;
            soa_requests(v.delegation, config, round, requests);
            v.results.reserve(requests.size());  // a TC retry, rare, may still grow it
            p->waiting = requests.size();
            PendingZone& zone = *p;
            active.push_back(std::move(p));  // before the submits: a submit may call back at once
            for (auto& r : requests) {
                // The verdict and the output read the SOA and the header only: an ok reply's
                // authority and additional sections are not turned into records.
                r.ok_extra_sections = false;
                const bool retries = r.retry_truncated_over_tcp;
                engine.submit(std::move(r), [&zone, retries](ProbeResult& res) {
                    // A truncated UDP answer that the engine retries over TCP calls back twice
                    // (prober/engine.hpp): the retry's result is the one still to come.
                    if (!(retries && res.outcome == Outcome::truncated &&
                          res.target.transport == Transport::udp && !res.retried_from_tc)) {
                        --zone.waiting;
                    }
                    zone.view.results.push_back(std::move(res));
                });
            }
        }
    };
    auto hand_over = [&] {
        // With nothing outstanding nothing more can report: a zone still waiting has all it gets.
        const bool idle = engine.outstanding() == 0;
        while (!active.empty() && (active.front()->waiting == 0 || idle)) {
            std::unique_ptr<PendingZone> p = std::move(active.front());
            active.pop_front();
            judge(p->view, p->config, config);
            done(p->index, p->view);
            spare.push_back(std::move(p));
        }
    };
    top_up();
    hand_over();
    while (engine.outstanding() > 0 || next < zones.size() || !active.empty()) {
        if (engine.outstanding() > 0) engine.run_once(std::chrono::milliseconds(1000));
        hand_over();
        top_up();
        hand_over();
    }
}

std::vector<ZoneView> check_round(ProbeEngine& engine, const Config& config,
                                  const std::vector<std::string>& zones,
                                  const std::vector<RootServer>& hints, const RoundOptions& round) {
    std::vector<ZoneView> views(zones.size());
    check_round_each(engine, config, zones, hints, round,
                     [&views](size_t i, ZoneView& v) { views[i] = std::move(v); });
    return views;
}

}  // namespace nswatch
