#include "monitor/delegation_missing.hpp"

#include <algorithm>
#include <set>

namespace nswatch {

namespace {

bool lame(Outcome o) {
    return o == Outcome::refused || o == Outcome::nxdomain || o == Outcome::not_authoritative;
}

// "ns1.x (192.0.2.1) refused, ..." over distinct (name, address, outcome), at most five named.
std::string lame_servers(const ZoneState& z) {
    std::set<std::string> servers;
    for (const auto& t : z.targets) {
        servers.insert(t.target.nameserver.str() + " (" + t.target.address.str() + ") " +
                       std::string(to_string(t.last.outcome)));
    }
    std::string out;
    size_t n = 0;
    for (const auto& s : servers) {
        if (n == 5) {
            out += " and " + std::to_string(servers.size() - 5) + " more";
            break;
        }
        out += (n++ ? ", " : "") + s;
    }
    return out;
}

}  // namespace

DelegationMissing delegation_missing(const ZoneState& zone) {
    const DelegationState& d = zone.delegation;
    switch (d.missing) {
        case MissingReason::parent_nxdomain:
        case MissingReason::parent_nodata:
        case MissingReason::ns_without_address:
            return {d.missing, d.missing_detail};
        case MissingReason::servers_lame:
        case MissingReason::none:
            break;
    }
    const bool answered_since = std::any_of(zone.targets.begin(), zone.targets.end(), [&](auto& t) {
        return t.last.outcome == Outcome::ok && t.last.sent_wall >= d.discovered;
    });
    if (d.missing == MissingReason::servers_lame && !answered_since) {
        return {d.missing, d.missing_detail};
    }
    const bool all_lame =
        !zone.targets.empty() && std::all_of(zone.targets.begin(), zone.targets.end(),
                                             [](auto& t) { return lame(t.last.outcome); });
    if (!all_lame) return {};
    return {MissingReason::servers_lame, "every delegated server answers the zone's SOA query " +
                                             std::string("without authority: ") +
                                             lame_servers(zone)};
}

}  // namespace nswatch
