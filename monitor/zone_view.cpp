#include "monitor/zone_view.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "dns/dns_name.hpp"
#include "dns/rr_types.hpp"

namespace nswatch {

ProviderClassifier provider_classifier(const Config& config) {
    std::vector<ProviderPattern> patterns;
    for (const auto& rule : config.providers) {
        for (const auto& glob : rule.patterns) patterns.push_back({rule.name, glob});
    }
    return ProviderClassifier(std::move(patterns));
}

namespace {

Delegation from_static(const ZoneConfig& zone, const ProviderClassifier& providers) {
    Delegation d;
    d.zone = zone.name;
    d.from_config = true;
    for (const auto& ns : zone.nameservers) {
        NameserverInfo info;
        info.name = ns.name;
        info.addresses = ns.addresses;
        info.port = ns.port;
        info.in_parent = info.in_child = true;
        if (!ns.provider.empty()) {
            info.provider = ns.provider;
            info.provider_how = "configured for this nameserver";
        } else {
            const ProviderMatch m = providers.explain(ns.name);
            info.provider = m.provider;
            info.provider_how = m.how;
        }
        d.parent_ns.push_back(ns.name);
        d.nameservers.push_back(std::move(info));
    }
    std::sort(d.parent_ns.begin(), d.parent_ns.end());
    d.child_ns = d.parent_ns;
    d.notes.push_back("nameservers from the config: discovery skipped");
    return d;
}

}  // namespace

Delegation static_delegation(const Config& config, const ZoneConfig& zone) {
    return from_static(zone, provider_classifier(config));
}

Delegation static_delegation(const ZoneConfig& zone, const ProviderClassifier& providers) {
    return from_static(zone, providers);
}

std::vector<RootServer> hints_for(const Config& config) {
    return config.root_hints.empty() ? builtin_root_hints()
                                     : load_root_hints_file(config.root_hints);
}

Delegation delegation_for(ProbeEngine& engine, const Config& config, const std::string& zone,
                          const std::vector<RootServer>& hints) {
    const ProviderClassifier providers = provider_classifier(config);
    if (const ZoneConfig* z = config.find_zone(zone); z != nullptr && !z->nameservers.empty()) {
        return from_static(*z, providers);
    }
    DiscoveryOptions opts;
    opts.resolver.timeout = config.discovery.timeout;
    opts.resolver.ipv6 = config.probe.ipv6;
    opts.resolver.vantage = config.get_default_vantage().name;
    opts.ns_query_timeout = config.discovery.timeout;
    return discover_delegation(engine, hints, zone, providers, opts);
}

Delegation probing_part(Delegation d) {
    Delegation kept;
    kept.zone = std::move(d.zone);
    kept.from_config = d.from_config;
    kept.nameservers.reserve(d.nameservers.size());
    for (auto& ns : d.nameservers) {
        NameserverInfo n;
        n.name = std::move(ns.name);
        n.addresses = std::move(ns.addresses);
        n.addresses.shrink_to_fit();
        n.provider = std::move(ns.provider);
        n.port = ns.port;
        n.in_parent = ns.in_parent;
        n.in_child = ns.in_child;
        kept.nameservers.push_back(std::move(n));
    }
    return kept;
}

std::vector<ProbeRequest> soa_requests(const Delegation& d, const Config& config,
                                       const RoundOptions& round) {
    std::vector<ProbeRequest> out;
    soa_requests(d, config, round, out);
    return out;
}

void soa_requests(const Delegation& d, const Config& config, const RoundOptions& round,
                  std::vector<ProbeRequest>& out) {
    out.clear();
    std::array<Transport, 2> transports{};
    size_t n_transports = 0;
    if (round.udp) transports[n_transports++] = Transport::udp;
    if (round.tcp) transports[n_transports++] = Transport::tcp;
    size_t addresses = 0;
    for (const auto& ns : d.nameservers) addresses += ns.addresses.size();
    out.reserve(addresses * n_transports);
    for (const auto& ns : d.nameservers) {
        for (const auto& addr : ns.addresses) {
            const bool v6 = addr.find(':') != std::string::npos;
            if (v6 && !config.probe.ipv6) continue;
            for (size_t i = 0; i < n_transports; ++i) {
                const Transport t = transports[i];
                ProbeRequest req;
                req.target.zone = d.zone;
                req.target.nameserver = ns.name;
                req.target.address = addr;
                req.target.family = v6 ? Family::ipv6 : Family::ipv4;
                req.target.provider = ns.provider;
                req.target.vantage = config.get_default_vantage().name;
                req.target.transport = t;
                req.target.port = ns.port;
                req.query.name = d.zone;
                req.query.type = kTypeSoa;
                req.query.edns = config.probe.edns;
                req.query.edns_buffer_size = config.probe.edns_buffer_size;
                req.query.nsid = config.probe.nsid && config.probe.edns;
                req.query.dnssec_ok = config.probe.dnssec_ok && config.probe.edns;
                req.timeout = config.probe.timeout;
                out.push_back(std::move(req));
            }
        }
    }
}

std::vector<ProbeRequest> watch_requests(const Delegation& d, const ZoneConfig& zone,
                                         const Config& config) {
    std::vector<ProbeRequest> out;
    watch_requests(d, zone, config, out);
    return out;
}

void watch_requests(const Delegation& d, const ZoneConfig& zone, const Config& config,
                    std::vector<ProbeRequest>& out) {
    RoundOptions udp_only;
    udp_only.tcp = false;
    const auto base = soa_requests(d, config, udp_only);
    out.clear();
    // With DO set the zone is taken to be signed: its apex key sets are compared across providers
    // like a watched name (RFC 8901 §4: every signer's ZSK in every provider's DNSKEY set; one
    // CDS/CDNSKEY set everywhere, or the parent's key roll goes astray).
    std::vector<uint16_t> apex_keys;
    if (config.probe.dnssec_ok) apex_keys = {kTypeDnskey, kTypeCds, kTypeCdnskey};
    size_t types = apex_keys.size();
    for (const auto& w : zone.watch) {
        types += w.types.size();
        if (w.owner(d.zone) != d.zone) continue;
        for (uint16_t type : w.types) std::erase(apex_keys, type);  // watched already
    }
    out.reserve(types * base.size());  // growing it was 8 % of the daemon's CPU at 1,000 zones
    auto ask = [&](const std::string& name, uint16_t type) {
        for (auto req : base) {
            req.query.name = name;
            req.query.type = type;
            out.push_back(std::move(req));
        }
    };
    for (const auto& w : zone.watch) {
        for (uint16_t type : w.types) {
            // The apex SOA is what the serial round asks already, and it differs by design while a
            // secondary catches up: serial tracking judges it, not the answer comparison.
            if (type == kTypeSoa && w.owner(d.zone) == d.zone) continue;
            ask(w.owner(d.zone), type);
        }
    }
    for (uint16_t type : apex_keys) ask(d.zone, type);
}

}  // namespace nswatch
