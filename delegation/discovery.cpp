#include "delegation/discovery.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <set>

#include "dns/dns_name.hpp"
#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

std::vector<std::string> difference(const std::vector<std::string>& a,
                                    const std::vector<std::string>& b) {
    std::vector<std::string> out;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

// Each name is resolved on its own thread with its own engine and resolver: a provider that
// black-holes its own names' zone then costs one chain of timeouts, not one per name. (The engine
// is single-threaded by design; discovery is the one place where sequential iterative steps per
// name make threads the simple way to overlap them.)
std::vector<NameserverInfo> resolve_nameservers(const std::vector<Vantage>& vantages,
                                                const std::vector<RootServer>& hints,
                                                const std::vector<std::string>& names,
                                                const DiscoveryOptions& options) {
    std::vector<std::future<NameserverInfo>> jobs;
    for (const auto& name : names) {
        jobs.push_back(std::async(std::launch::async, [&vantages, &hints, &options, name] {
            NameserverInfo info;
            info.name = name;
            ProbeEngine engine(vantages);
            IterativeResolver resolver(engine, hints, options.resolver);
            info.addresses = resolver.addresses_of(name, info.error, info.cname);
            return info;
        }));
    }
    std::vector<NameserverInfo> out;
    for (auto& j : jobs) out.push_back(j.get());
    return out;
}

bool lame_outcome(Outcome o) {
    return o == Outcome::refused || o == Outcome::nxdomain || o == Outcome::not_authoritative;
}

// Up to five, then "and N more": a message stays readable with forty addresses.
std::string list_of(const std::vector<std::string>& items) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i == 5) {
            out += " and " + std::to_string(items.size() - 5) + " more";
            break;
        }
        out += (i ? ", " : "") + items[i];
    }
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

    NoReferral why;
    auto referral = resolver.parent_referral(d.zone, why);
    if (!referral) {
        d.error = why.error;
        if (why.parent_said_so()) {
            d.parent_zone = why.zone;
            d.parent_server = why.server;
            d.missing.reason = why.kind == NoReferral::Kind::nxdomain
                                   ? MissingReason::parent_nxdomain
                                   : MissingReason::parent_nodata;
            d.missing.detail = why.error;
        }
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
    auto add_names = [&](const std::vector<std::string>& names) {
        std::vector<std::string> fresh;
        for (const auto& ns : names) {
            if (by_name.count(ns) == 0) fresh.push_back(ns);
        }
        for (auto& info : resolve_nameservers(engine.vantages(), hints, fresh, options)) {
            const ProviderMatch m = providers.explain(info.name);
            info.provider = m.provider;
            info.provider_how = m.how;
            if (info.cname)
                d.notes.push_back("NS name " + info.name + " is a CNAME (RFC 2181 §10.3)");
            by_name.emplace(info.name, std::move(info));
        }
    };
    add_names(d.parent_ns);
    for (const auto& ns : d.parent_ns) {
        NameserverInfo& info = by_name.at(ns);
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
            d.notes.push_back("addresses of " + ns +
                              " taken from the parent's glue: " + info.error);
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
            req.target.port = options.resolver.port;
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
    add_names(d.child_ns);
    for (const auto& ns : d.child_ns) by_name.at(ns).in_child = true;

    for (auto& [name, info] : by_name) d.nameservers.push_back(std::move(info));
    std::sort(d.nameservers.begin(), d.nameservers.end(),
              [](const NameserverInfo& a, const NameserverInfo& b) {
                  return std::tie(a.provider, a.name) < std::tie(b.provider, b.name);
              });
    if (d.child_ns.empty()) {
        d.notes.push_back("no delegated server answered the zone's NS query authoritatively");
    }
    d.missing = missing_from_servers(d);
    return d;
}

DelegationMissing missing_from_servers(const Delegation& d) {
    if (d.from_config) return {};
    std::vector<const NameserverInfo*> delegated;
    for (const auto& ns : d.nameservers) {
        if (ns.in_parent) delegated.push_back(&ns);
    }
    const bool no_address =
        !delegated.empty() && std::all_of(delegated.begin(), delegated.end(),
                                          [](auto* ns) { return ns->addresses.empty(); });
    if (no_address) {
        std::vector<std::string> names;
        for (const auto* ns : delegated)
            names.push_back(ns->name + (ns->error.empty() ? "" : " (" + ns->error + ")"));
        return {MissingReason::ns_without_address, "none of the NS names the parent's server " +
                                                       d.parent_server + " (zone '" +
                                                       d.parent_zone + "') delegates " + d.zone +
                                                       " to has an address: " + list_of(names)};
    }
    std::vector<std::string> lame;
    for (const auto& r : d.child_ns_answers) {
        if (r.outcome == Outcome::truncated) continue;
        if (!lame_outcome(r.outcome)) return {};
        lame.push_back(r.target.nameserver + " (" + r.target.address + ") " +
                       std::string(to_string(r.outcome)));
    }
    if (lame.empty()) return {};
    std::sort(lame.begin(), lame.end());
    lame.erase(std::unique(lame.begin(), lame.end()), lame.end());
    return {MissingReason::servers_lame, "every delegated server answers the NS query for " +
                                             d.zone + " without authority: " + list_of(lame)};
}

}  // namespace nswatch
