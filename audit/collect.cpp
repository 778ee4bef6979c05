#include "audit/collect.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <future>
#include <mutex>
#include <thread>

#include "audit/asn_lookup.hpp"
#include "audit/axfr.hpp"
#include "audit/referral.hpp"
#include "config/zone_index.hpp"
#include "dns/rr_types.hpp"
#include "monitor/zone_view.hpp"

namespace nswatch {

namespace {

/// An option code from the local/experimental range (RFC 6891 §9: 65001-65534) with a few
/// octets: no server implements it, so each must ignore it (Zonemaster NAMESERVER11).
const EdnsOption kUnknownEdnsOption{65001, {0x6e, 0x73, 0x77, 0x21}};  // payload "nsw!"

/// The watched (name, type) pairs of `zone`, whose config entry is `z` (nullptr: none).
std::vector<std::pair<std::string, uint16_t>> watch_list(const ZoneConfig* z,
                                                         const std::string& zone) {
    std::vector<std::pair<std::string, uint16_t>> out;
    if (z != nullptr) {
        for (const auto& w : z->watch) {
            for (auto t : w.types) {
                if (t != kTypeSoa && t != kTypeNs) out.emplace_back(w.owner(zone), t);
            }
        }
    }
    if (out.empty()) {
        for (auto t : {kTypeA, kTypeAaaa, kTypeMx, kTypeTxt}) out.emplace_back(zone, t);
        for (auto t : {kTypeA, kTypeAaaa}) out.emplace_back("www." + zone, t);
    }
    return out;
}

/// What delegation_for decides, with the zone's config entry `z` already looked up (its scan of
/// the config's zones, once per zone, made thousands of zones cost their square).
Delegation delegation_of(ProbeEngine& engine, const Config& config, const ZoneConfig* z,
                         const std::string& zone, const std::vector<RootServer>& hints) {
    if (z != nullptr && !z->nameservers.empty()) return static_delegation(config, *z);
    return delegation_for(engine, config, zone, hints);
}

/// `z`: the zone's config entry (nullptr: none).
AuditEvidence from_delegation(const Delegation& d, const ZoneConfig* z, const Config& config) {
    AuditEvidence e;
    e.zone = d.zone;
    e.discovery_error = d.error;
    e.delegation_missing = d.missing;
    e.from_config = d.from_config;
    e.parent_zone = d.parent_zone;
    e.parent_ns = d.parent_ns;
    e.parent_ns_ttl = d.parent_ns_ttl;
    e.parent_server = d.parent_server;
    e.child_ns = d.child_ns;
    if (z != nullptr) e.primary = z->primary;
    if (d.error.empty() && !d.from_config && !d.parent_ns.empty()) {
        // Sized from the parent's glue, IPv6 included even when we do not probe over IPv6: the
        // parent sends it all the same.
        std::map<std::string, std::vector<std::string>> glue;
        for (const auto& ns : d.nameservers)
            glue[ns.name] = ns.glue.empty() ? ns.addresses : ns.glue;
        e.referral = estimate_referral(d.zone, d.parent_ns, glue);
    }
    size_t addresses = 0;
    for (const auto& ns : d.nameservers) addresses += ns.addresses.size();
    e.servers.reserve(addresses);
    e.nameservers.reserve(d.nameservers.size());
    for (const auto& ns : d.nameservers) {
        NameserverEvidence n;
        n.name = ns.name;
        n.provider = ns.provider;
        n.addresses = ns.addresses;
        n.glue = ns.glue;
        n.in_parent = ns.in_parent;
        n.in_child = ns.in_child;
        n.cname = ns.cname;
        n.error = ns.error;
        if (!config.probe.ipv6) {
            std::erase_if(n.addresses,
                          [](const auto& a) { return a.find(':') != std::string::npos; });
            std::erase_if(n.glue, [](const auto& a) { return a.find(':') != std::string::npos; });
        }
        for (const auto& a : n.addresses) {
            ServerEvidence s;
            s.nameserver = ns.name;
            s.address = a;
            s.provider = ns.provider;
            e.servers.push_back(std::move(s));
        }
        e.nameservers.push_back(std::move(n));
    }
    return e;
}

/// The probes add_slots asks of every server, besides the watched names.
constexpr size_t kProbesPerServer = 12;

/// One probe of the audit and where its result goes.
struct Slot {
    ProbeRequest request;
    std::optional<ProbeResult>* single = nullptr;  ///< an optional field of ServerEvidence
    std::vector<ProbeResult>* list = nullptr;      ///< or the watched list
};

ProbeRequest base_request(const AuditEvidence& e, const ServerEvidence& s, uint16_t port,
                          const Config& config) {
    ProbeRequest r;
    r.target.zone = e.zone;
    r.target.nameserver = s.nameserver;
    r.target.address = s.address;
    r.target.family = s.address.find(':') != std::string::npos ? Family::ipv6 : Family::ipv4;
    r.target.provider = s.provider;
    r.target.vantage = config.get_default_vantage().name;
    r.target.port = port;
    r.query.name = e.zone;
    r.query.type = kTypeSoa;
    r.query.edns = true;
    r.query.edns_buffer_size = config.probe.edns_buffer_size;
    r.query.nsid = config.probe.nsid;
    r.timeout = config.probe.timeout;
    // The audit wants to see a truncated reply as such; TCP is probed on its own.
    r.retry_truncated_over_tcp = false;
    return r;
}

/// Appends the probes of every server of `e` to `out` (appended where they go, not gathered in a
/// vector of their own and moved: a Slot is a whole request).
void add_slots(std::vector<Slot>& out, AuditEvidence& e, const ZoneConfig* z,
               const std::map<std::string, uint16_t>& ports, const Config& config,
               const CollectOptions& options) {
    const auto watch = watch_list(z, e.zone);
    for (auto& s : e.servers) {
        const auto base = base_request(e, s, ports.at(s.nameserver), config);
        auto add = [&](std::optional<ProbeResult>* slot, uint16_t type, Transport t, auto&& tweak) {
            Slot x{base, slot, nullptr};
            x.request.query.type = type;
            x.request.target.transport = t;
            tweak(x.request.query);
            out.push_back(std::move(x));
        };
        auto none = [](Query&) {};
        add(&s.soa_udp, kTypeSoa, Transport::udp, none);
        add(&s.soa_tcp, kTypeSoa, Transport::tcp, none);
        add(&s.ns_udp, kTypeNs, Transport::udp, none);
        add(&s.ns_tcp, kTypeNs, Transport::tcp, none);
        add(&s.soa_plain, kTypeSoa, Transport::udp, [](Query& q) {
            q.edns = false;
            q.nsid = false;
        });
        add(&s.recursion, kTypeNs, Transport::udp, [&](Query& q) {
            q.name = options.recursion_name;
            q.recursion_desired = true;
        });
        add(&s.dnskey, kTypeDnskey, Transport::tcp, [](Query& q) { q.dnssec_ok = true; });
        add(&s.aaaa, kTypeAaaa, Transport::udp, none);
        add(&s.upward, kTypeNs, Transport::udp,
            [&](Query& q) { q.name = options.upward_referral_name; });
        add(&s.edns_version1, kTypeSoa, Transport::udp, [](Query& q) { q.edns_version = 1; });
        add(&s.edns_unknown_option, kTypeSoa, Transport::udp,
            [](Query& q) { q.edns_options = {kUnknownEdnsOption}; });
        add(&s.edns_do, kTypeSoa, Transport::udp, [](Query& q) { q.dnssec_ok = true; });
        for (const auto& [name, type] : watch) {
            Slot x{base, nullptr, &s.watched};
            x.request.query.name = name;
            x.request.query.type = type;
            out.push_back(std::move(x));
        }
    }
}

/// The zone's DS RRset, asked of the parent's server that gave the referral (DNSSEC-DS). Asked for
/// every discovered zone, signed or not: a DS over an unsigned zone breaks it for validators. TCP,
/// because a DS set with its signatures may not fit and the audit does not retry truncation.
std::optional<Slot> parent_ds_slot(AuditEvidence& e, const Config& config) {
    if (e.from_config || !e.discovery_error.empty() || e.parent_server.empty()) return std::nullopt;
    Slot x;
    x.single = &e.parent_ds;
    auto& r = x.request;
    r.target.zone = e.zone;
    r.target.nameserver = e.parent_zone;
    r.target.address = e.parent_server;
    r.target.family = e.parent_server.find(':') != std::string::npos ? Family::ipv6 : Family::ipv4;
    r.target.provider = "parent";
    r.target.vantage = config.get_default_vantage().name;
    r.target.transport = Transport::tcp;
    r.query.name = e.zone;
    r.query.type = kTypeDs;
    r.query.edns = true;
    r.query.dnssec_ok = true;
    r.query.edns_buffer_size = config.probe.edns_buffer_size;
    r.query.nsid = false;
    r.timeout = config.probe.timeout;
    return x;
}

/// NET-ASN's look-ups, once per distinct address over all zones, when an ASN zone is configured.
void add_asn_evidence(ProbeEngine& engine, const Config& config,
                      const std::vector<RootServer>& hints, std::vector<AuditEvidence>& zones) {
    if (config.audit.asn_zone.empty()) return;
    std::vector<std::string> addresses;
    for (const auto& e : zones) {
        for (const auto& ns : e.nameservers)
            addresses.insert(addresses.end(), ns.addresses.begin(), ns.addresses.end());
    }
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
    ResolverOptions options;
    options.timeout = config.discovery.timeout;
    options.ipv6 = config.probe.ipv6;
    options.vantage = config.get_default_vantage().name;
    const auto asn = lookup_asns(engine, hints, addresses, config.audit.asn_zone,
                                 config.audit.asn_zone_ipv6, options);
    for (auto& e : zones) {
        for (const auto& ns : e.nameservers) {
            for (const auto& a : ns.addresses) e.asn[a] = asn.at(a);
        }
    }
}

/// Some server's DNSKEY answer holds a key: the zone is signed, and the DNSSEC probes are due.
bool zone_is_signed(const AuditEvidence& e) {
    for (const auto& s : e.servers) {
        if (!s.dnskey || s.dnskey->outcome != Outcome::ok) continue;
        for (const auto& r : s.dnskey->answer) {
            if (r.type == kTypeDnskey) return true;
        }
    }
    return false;
}

/// The second round, for signed zones only (unsigned zones, most of them, cost nothing more).
void add_dnssec_slots(std::vector<Slot>& out, AuditEvidence& e,
                      const std::map<std::string, uint16_t>& ports, const Config& config) {
    for (auto& s : e.servers) {
        const auto base = base_request(e, s, ports.at(s.nameserver), config);
        for (auto [slot, type] :
             {std::pair{&s.dnskey_udp, kTypeDnskey}, std::pair{&s.cds, kTypeCds},
              std::pair{&s.cdnskey, kTypeCdnskey}, std::pair{&s.nsec3param, kTypeNsec3param}}) {
            Slot x{base, slot, nullptr};
            x.request.query.type = type;
            x.request.query.dnssec_ok = true;
            out.push_back(std::move(x));
        }
    }
}

}  // namespace

std::vector<std::pair<std::string, uint16_t>> audit_watch_list(const Config& config,
                                                               const std::string& zone) {
    return watch_list(config.find_zone(zone), zone);
}

std::vector<AuditEvidence> collect_evidence(ProbeEngine& engine, const Config& config,
                                            const std::vector<std::string>& zones,
                                            const std::vector<RootServer>& hints,
                                            const CollectOptions& options) {
    // Discovery of each zone is a chain of dependent lookups: several zones at once on worker
    // threads, each with an engine of its own (an engine is single-threaded). Then every probe of
    // every zone in one batch on `engine`, so the zones' probes overlap on the wire.
    std::vector<AuditEvidence> out;
    std::vector<std::map<std::string, uint16_t>> ports(zones.size());
    size_t done = 0, total = zones.size();
    std::mutex tick_mutex;
    auto tick = [&] {
        std::lock_guard lock(tick_mutex);
        ++done;
        if (options.progress) options.progress(done, total);
    };
    const ZoneIndex index(config);
    std::vector<const ZoneConfig*> configured(zones.size());
    for (size_t i = 0; i < zones.size(); ++i) configured[i] = index.find(zones[i]);
    std::vector<Delegation> delegations(zones.size());
    const size_t finders =
        std::min<size_t>(static_cast<size_t>(std::max(1, options.discovery_threads)), zones.size());
    if (finders <= 1) {
        for (size_t i = 0; i < zones.size(); ++i) {
            delegations[i] = delegation_of(engine, config, configured[i], zones[i], hints);
            tick();
        }
    } else {
        std::atomic<size_t> next{0};
        std::exception_ptr failed;  // the first worker's exception, rethrown here
        std::vector<std::thread> pool;
        for (size_t w = 0; w < finders; ++w) {
            pool.emplace_back([&] {
                try {
                    ProbeEngine own(config.vantages);
                    for (size_t i; (i = next++) < zones.size();) {
                        delegations[i] = delegation_of(own, config, configured[i], zones[i], hints);
                        tick();
                    }
                } catch (...) {
                    std::lock_guard lock(tick_mutex);
                    if (!failed) failed = std::current_exception();
                    next = zones.size();  // the others stop after their current zone
                }
            });
        }
        for (auto& t : pool) t.join();
        if (failed) std::rethrow_exception(failed);
    }
    out.reserve(zones.size());
    for (size_t i = 0; i < zones.size(); ++i) {
        for (const auto& ns : delegations[i].nameservers) ports[i][ns.name] = ns.port;
        out.push_back(from_delegation(delegations[i], configured[i], config));
    }
    add_asn_evidence(engine, config, hints, out);
    std::vector<Slot> slots;
    size_t servers = 0;
    for (const auto& e : out) servers += e.servers.size();
    slots.reserve(servers * kProbesPerServer + out.size());  // more only with watched names
    for (size_t i = 0; i < out.size(); ++i) {
        add_slots(slots, out[i], configured[i], ports[i], config, options);
        if (auto ds = parent_ds_slot(out[i], config)) slots.push_back(std::move(*ds));
    }
    struct Transfer {
        ServerEvidence* server;
        std::string zone;
        uint16_t port;
    };
    std::vector<Transfer> transfers;
    if (options.axfr) {
        for (size_t i = 0; i < out.size(); ++i) {
            for (auto& s : out[i].servers)
                transfers.push_back({&s, out[i].zone, ports[i].at(s.nameserver)});
        }
    }
    total += slots.size() + transfers.size();

    // AXFR is blocking ldns I/O: a few worker threads take transfers off a shared index while the
    // engine's loop runs on this thread. Each worker writes only its own ServerEvidence::axfr.
    std::atomic<size_t> next{0}, transferred{0};
    std::vector<std::thread> workers;
    const auto threads = std::min<size_t>(std::max(1, options.axfr_threads), transfers.size());
    for (size_t w = 0; w < threads; ++w) {
        workers.emplace_back([&] {
            for (size_t i; (i = next++) < transfers.size();) {
                const auto& t = transfers[i];
                t.server->axfr =
                    try_axfr(t.zone, t.server->address, t.port,
                             std::max(config.probe.timeout, std::chrono::milliseconds(2000)));
                ++transferred;
            }
        });
    }
    // A window of probes in flight, not all at once: thousands of queries pipelined on one TCP
    // connection per address are more than a server's queue (and once, before the engine capped
    // its writev at IOV_MAX, made c-ares fail every query queued on the connection). A slot's
    // request is sent once and its result is the engine's to give: both are moved, not copied.
    size_t submitted = 0;
    auto top_up = [&] {
        while (submitted < slots.size() && engine.outstanding() < options.max_in_flight) {
            Slot* s = &slots[submitted++];
            engine.submit(std::move(s->request), [s, &tick](ProbeResult& r) {
                if (s->single)
                    *s->single = std::move(r);
                else
                    s->list->push_back(std::move(r));
                tick();
            });
        }
    };
    top_up();
    size_t seen_transfers = 0;
    bool second_round = false;
    for (;;) {
        const bool probing = engine.outstanding() > 0 || submitted < slots.size();
        if (!probing && !second_round) {
            // Every first-round callback has run, so growing `slots` moves no Slot still in use.
            second_round = true;
            const auto before = slots.size();
            for (size_t i = 0; i < out.size(); ++i) {
                if (!zone_is_signed(out[i])) continue;
                add_dnssec_slots(slots, out[i], ports[i], config);
            }
            total += slots.size() - before;
            continue;
        }
        if (!probing && transferred.load() >= transfers.size()) break;
        top_up();
        if (engine.outstanding() > 0)
            engine.run_once(std::chrono::milliseconds(50));
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        for (const auto n = transferred.load(); seen_transfers < n; ++seen_transfers) tick();
    }
    for (auto& w : workers) w.join();
    for (const auto n = transferred.load(); seen_transfers < n; ++seen_transfers) tick();
    return out;
}

}  // namespace nswatch
