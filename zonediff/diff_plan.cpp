#include "zonediff/diff_plan.hpp"

#include <algorithm>

#include "dns/rr_types.hpp"

namespace nswatch {

std::vector<const ProviderTransfer*> providers_to_diff(
    const std::vector<ProviderTransfer>& transfers, const ZoneState& zone) {
    std::vector<const ProviderTransfer*> out;
    for (const auto& t : transfers) {
        const bool serves =
            std::any_of(zone.providers.begin(), zone.providers.end(),
                        [&](const ProviderState& p) { return p.provider == t.provider; });
        if (serves) out.push_back(&t);
    }
    return out;
}

std::string describe_run(const ZoneDiffResult& result) {
    std::string out = result.zone + ":";
    if (result.pairs.empty()) return out + " nothing compared";
    bool first = true;
    for (const auto& p : result.pairs) {
        out += first ? " " : "; ";
        first = false;
        if (!p.error.empty()) {
            out += p.provider_b + " not compared with " + p.provider_a + " (" + p.error + ")";
            continue;
        }
        if (p.rrsets == 0) {
            out += p.provider_b + " identical to " + p.provider_a;
            continue;
        }
        out += p.provider_b + " differs from " + p.provider_a + " in " + std::to_string(p.rrsets) +
               (p.rrsets == 1 ? " RRset (" : " RRsets (");
        size_t n = 0;
        for (const auto& d : p.differences) {
            if (n == 3) break;
            out += (n++ == 0 ? "" : ", ") + d.owner + " " + rr_type_name(d.type) + " " +
                   to_string(d.kind);
        }
        if (p.rrsets > n) out += " and " + std::to_string(p.rrsets - n) + " more";
        out += ")";
    }
    return out;
}

std::string run_outcome(const ZoneDiffResult& result) {
    bool differ = false;
    for (const auto& p : result.pairs) {
        if (!p.error.empty()) return "error";
        differ = differ || p.rrsets > 0;
    }
    return differ ? "differ" : "equal";
}

}  // namespace nswatch
