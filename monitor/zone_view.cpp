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

namespace {

size_t probed_addresses(const Delegation& d, const Config& config) {
    size_t n = 0;
    for (const auto& ns : d.nameservers) {
        for (const auto& addr : ns.addresses) {
            if (config.probe.ipv6 || addr.find(':') == std::string::npos) ++n;
        }
    }
    return n;
}

/// Appends one request for (name, type) per probed address of `d` and per transport.
void append_requests(const Delegation& d, const Config& config, const std::string& name,
                     uint16_t type, const RoundOptions& round, std::vector<ProbeRequest>& out) {
    std::array<Transport, 2> transports{};
    size_t n_transports = 0;
    if (round.udp) transports[n_transports++] = Transport::udp;
    if (round.tcp) transports[n_transports++] = Transport::tcp;
    for (const auto& ns : d.nameservers) {
        for (const auto& addr : ns.addresses) {
            const bool v6 = addr.find(':') != std::string::npos;
            if (v6 && !config.probe.ipv6) continue;
            for (size_t i = 0; i < n_transports; ++i) {
                ProbeRequest& req = out.emplace_back();
                req.target.zone = d.zone;
                req.target.nameserver = ns.name;
                req.target.address = addr;
                req.target.family = v6 ? Family::ipv6 : Family::ipv4;
                req.target.provider = ns.provider;
                req.target.vantage = config.get_default_vantage().name;
                req.target.transport = transports[i];
                req.target.port = ns.port;
                req.query.name = name;
                req.query.type = type;
                req.query.edns = config.probe.edns;
                req.query.edns_buffer_size = config.probe.edns_buffer_size;
                req.query.nsid = config.probe.nsid && config.probe.edns;
                req.query.dnssec_ok = config.probe.dnssec_ok && config.probe.edns;
                req.timeout = config.probe.timeout;
            }
        }
    }
}

}  // namespace

void soa_requests(const Delegation& d, const Config& config, const RoundOptions& round,
                  std::vector<ProbeRequest>& out) {
    out.clear();
    out.reserve(probed_addresses(d, config) * ((round.udp ? 1 : 0) + (round.tcp ? 1 : 0)));
    append_requests(d, config, d.zone, kTypeSoa, round, out);
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
    out.clear();
    // With DO set the zone is taken to be signed: its apex key sets are compared across providers
    // like a watched name (RFC 8901 §4: every signer's ZSK in every provider's DNSKEY set; one
    // CDS/CDNSKEY set everywhere, or the parent's key roll goes astray).
    std::array<uint16_t, 3> apex_keys{};
    size_t n_apex_keys = 0;
    if (config.probe.dnssec_ok) {
        apex_keys = {kTypeDnskey, kTypeCds, kTypeCdnskey};
        n_apex_keys = apex_keys.size();
    }
    size_t types = n_apex_keys;
    for (const auto& w : zone.watch) {
        types += w.types.size();
        if (w.owner(d.zone) != d.zone) continue;
        for (uint16_t type : w.types) {  // watched already
            const auto end = apex_keys.begin() + static_cast<std::ptrdiff_t>(n_apex_keys);
            n_apex_keys =
                static_cast<size_t>(std::remove(apex_keys.begin(), end, type) - apex_keys.begin());
        }
    }
    // Appended to a vector the caller reuses: no vector per round or per name (an allocation of
    // a kilobyte or more makes malloc consolidate its free lists first).
    out.reserve(types * probed_addresses(d, config));
    for (const auto& w : zone.watch) {
        const std::string owner = w.owner(d.zone);
        for (uint16_t type : w.types) {
            // The apex SOA is what the serial round asks already, and it differs by design while a
            // secondary catches up: serial tracking judges it, not the answer comparison.
            if (type == kTypeSoa && owner == d.zone) continue;
            append_requests(d, config, owner, type, udp_only, out);
        }
    }
    for (size_t i = 0; i < n_apex_keys; ++i)
        append_requests(d, config, d.zone, apex_keys[i], udp_only, out);
}

}  // namespace nswatch
