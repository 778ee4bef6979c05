#include "cli/check_round.hpp"

#include <algorithm>
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

std::vector<ZoneView> check_round(ProbeEngine& engine, const Config& config,
                                  const std::vector<std::string>& zones,
                                  const std::vector<RootServer>& hints, const RoundOptions& round) {
    const ZoneIndex index(config);
    const ProviderClassifier providers = provider_classifier(config);
    std::vector<ZoneView> views(zones.size());
    std::vector<const ZoneConfig*> configured(zones.size());
    for (size_t i = 0; i < zones.size(); ++i) {
        configured[i] = index.find(zones[i]);
        const ZoneConfig* z = configured[i];
        // What delegation_for decides, without its scan of the config's zones.
        views[i].delegation = z != nullptr && !z->nameservers.empty()
                                  ? static_delegation(*z, providers)
                                  : delegation_for(engine, config, zones[i], hints);
    }

    // A window of requests, not all of them: the engine holds each waiting request whole.
    const size_t window = static_cast<size_t>(std::max(1, config.probe.max_in_flight));
    std::vector<ProbeRequest> requests;
    size_t next = 0;
    auto top_up = [&] {
        while (next < views.size() && engine.outstanding() < window) {
            ZoneView& v = views[next++];
            soa_requests(v.delegation, config, round, requests);
            v.results.reserve(requests.size());  // a TC retry, rare, may still grow it
            for (auto& r : requests) {
                // The verdict and the output read the SOA and the header only: an ok reply's
                // authority and additional sections are not turned into records.
                r.ok_extra_sections = false;
                engine.submit(std::move(r),
                              [&v](ProbeResult& res) { v.results.push_back(std::move(res)); });
            }
        }
    };
    top_up();
    while (engine.outstanding() > 0 || next < views.size()) {
        engine.run_once(std::chrono::milliseconds(1000));
        top_up();
    }
    for (size_t i = 0; i < views.size(); ++i) judge(views[i], configured[i], config);
    return views;
}

}  // namespace nswatch
