#include "prober/discovery.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "prober/dns_name.hpp"

namespace nswatch {

namespace {

constexpr uint16_t kTypeNs = 2;

std::vector<std::string> difference(const std::vector<std::string>& a,
                                    const std::vector<std::string>& b) {
    std::vector<std::string> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

}  // namespace

std::vector<std::string> Delegation::only_in_parent() const {
    return difference(parent_ns, child_ns);
}
std::vector<std::string> Delegation::only_in_child() const {
    return difference(child_ns, parent_ns);
}
std::vector<std::string> Delegation::providers() const {
    std::set<std::string> s;
    for (const auto& ns : nameservers) s.insert(ns.provider);
    return {s.begin(), s.end()};
}

Delegation discover_delegation(ProbeEngine& engine, const std::vector<RootServer>& hints,
                               const std::string& zone, const ProviderClassifier& providers,
                               const DiscoveryOptions& options) {
    Delegation d;
    d.zone = canonical_name(zone);
    IterativeResolver resolver(engine, hints, options.resolver);

    std::string error;
    auto referral = resolver.parent_referral(d.zone, error);
    if (!referral) {
        d.error = error;
        return d;
    }
    d.parent_zone = referral->parent;
    d.parent_server = referral->server;
    d.parent_ns = referral->ns_names;
    d.parent_ns_ttl = referral->ns_ttl;
    if (referral->authoritative_answer) {
        d.notes.push_back("the parent's server " + referral->server +
                          " is authoritative for the zone too: parent and child NS sets cannot "
                          "be told apart");
    }

    std::map<std::string, NameserverInfo> by_name;
    auto add_name = [&](const std::string& ns) -> NameserverInfo& {
        auto [it, fresh] = by_name.try_emplace(ns);
        if (fresh) {
            NameserverInfo& info = it->second;
            info.name = ns;
            const ProviderMatch m = providers.explain(ns);
            info.provider = m.provider;
            info.provider_how = m.how;
            info.addresses = resolver.addresses_of(ns, info.error, info.cname);
            if (info.cname) d.notes.push_back("NS name " + ns + " is a CNAME (RFC 2181 §10.3)");
        }
        return it->second;
    };
    for (const auto& ns : d.parent_ns) {
        NameserverInfo& info = add_name(ns);
        info.in_parent = true;
        auto g = referral->glue.find(ns);
        if (g != referral->glue.end()) info.glue = g->second;
        // A provider whose servers also serve their own names' zone takes those names down with
        // it; resolvers then still reach the rest via the parent's glue, and so do we.
        if (info.addresses.empty() && !info.glue.empty()) {
            for (const auto& a : info.glue) {
                if (options.resolver.ipv6 || a.find(':') == std::string::npos) {
                    info.addresses.push_back(a);
                }
            }
            d.notes.push_back("addresses of " + ns + " taken from the parent's glue: " + info.error);
            info.error.clear();
        }
    }

    // Child side: the zone's NS RRset from every address of every delegated server.
    std::vector<ProbeRequest> asks;
    for (const auto& [name, info] : by_name) {
        for (const auto& addr : info.addresses) {
            ProbeRequest req;
            req.target.zone = d.zone;
            req.target.nameserver = name;
            req.target.address = addr;
            req.target.family = addr.find(':') != std::string::npos ? Family::ipv6 : Family::ipv4;
            req.target.provider = info.provider;
            req.target.vantage = options.resolver.vantage;
            req.query.name = d.zone;
            req.query.type = kTypeNs;
            req.timeout = options.ns_query_timeout;
            asks.push_back(std::move(req));
        }
    }
    std::set<std::string> child;
    for (auto& r : engine.run_batch(asks)) {
        if (r.outcome == Outcome::ok) {
            for (const auto& rec : r.answer) {
                if (rec.type == kTypeNs && canonical_name(rec.owner) == d.zone) {
                    child.insert(canonical_name(rec.rdata));
                }
            }
        }
        if (r.outcome != Outcome::truncated) d.child_ns_answers.push_back(std::move(r));
    }
    d.child_ns.assign(child.begin(), child.end());
    for (const auto& ns : d.child_ns) add_name(ns).in_child = true;

    for (auto& [name, info] : by_name) d.nameservers.push_back(std::move(info));
    std::sort(d.nameservers.begin(), d.nameservers.end(),
              [](const NameserverInfo& a, const NameserverInfo& b) {
                  return std::tie(a.provider, a.name) < std::tie(b.provider, b.name);
              });
    if (d.child_ns.empty()) {
        d.notes.push_back("no delegated server answered the zone's NS query authoritatively");
    }
    return d;
}

}  // namespace nswatch
