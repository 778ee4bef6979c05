// Delegation discovery: what the parent delegates, what the zone itself says, and every address.
//
// Given a zone: walk from the root hints to the parent and take its referral (parent-side NS set
// and glue); resolve A and AAAA of every NS name iteratively; ask every address of every NS for the
// zone's NS set (child side); resolve names that only the child lists too. Nameservers are grouped
// into providers by the classifier.
#pragma once

#include <string>
#include <vector>

#include "delegation/delegation_missing.hpp"
#include "delegation/iterative.hpp"
#include "delegation/providers.hpp"

namespace nswatch {

/// One nameserver of a zone as discovered (or configured).
struct NameserverInfo {
    std::string name;                    ///< NS name, canonical
    std::vector<std::string> addresses;  ///< resolved IPv4 then IPv6 addresses
    std::vector<std::string> glue;       ///< addresses the parent gave as glue
    std::string provider;                ///< provider name
    std::string provider_how;            ///< which rule named the provider
    bool in_parent = false;              ///< listed in the parent's delegation
    bool in_child = false;               ///< listed in the zone's own NS RRset
    bool cname = false;                  ///< the NS name is an alias (RFC 2181 §10.3 forbids it)
    std::string error;                   ///< why it has no address, if it has none
    uint16_t port = 53;                  ///< destination port (static lab configs only)
};

/// What discovery learned about one zone.
struct Delegation {
    std::string zone;                         ///< canonical zone name
    std::string parent_zone;                  ///< zone that delegates it ("test")
    std::string parent_server;                ///< address that gave the referral
    std::vector<std::string> parent_ns;       ///< NS names at the parent, sorted
    uint32_t parent_ns_ttl = 0;               ///< TTL of the parent's NS RRset
    std::vector<std::string> child_ns;        ///< NS names the zone's servers return, union, sorted
    std::vector<NameserverInfo> nameservers;  ///< every name in either set, by provider then name
    std::vector<ProbeResult> child_ns_answers;  ///< the NS query to each address
    bool from_config = false;                   ///< nameservers came from the config, not discovery
    std::string error;                          ///< fatal: discovery could not find the delegation
    /// The delegation is gone or leads nowhere, and who said so. Unset when discovery could not
    /// ask (then `error` alone says why): a timeout is not a missing delegation.
    DelegationMissing missing;
    std::vector<std::string> notes;  ///< non-fatal findings, one sentence each

    bool ok() const { return error.empty(); }
    /// Parent and child list the same NS names.
    bool ns_sets_agree() const { return from_config || parent_ns == child_ns; }
    std::vector<std::string> only_in_parent() const;
    std::vector<std::string> only_in_child() const;
    std::vector<std::string> providers() const;  ///< distinct provider names, sorted
};

struct DiscoveryOptions {
    ResolverOptions resolver;                          ///< timeouts, vantage, IPv6
    std::chrono::milliseconds ns_query_timeout{1500};  ///< the child NS queries
};

/// Whether `d`'s servers make the delegation useless, judged from what discovery gathered: none of
/// the parent's NS names has an address (ns_without_address), or every answer to the zone's NS
/// query is REFUSED, NXDOMAIN or not authoritative (servers_lame). A static (config) delegation is
/// never judged here.
DelegationMissing missing_from_servers(const Delegation& d);

/// Discover `zone` from `hints`. Never throws for DNS trouble: failures land in Delegation::error.
Delegation discover_delegation(ProbeEngine& engine, const std::vector<RootServer>& hints,
                               const std::string& zone, const ProviderClassifier& providers,
                               const DiscoveryOptions& options);

}  // namespace nswatch
