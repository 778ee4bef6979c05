// NET-ASN's I/O: the origin ASN of each nameserver address, asked of a Team Cymru-style TXT zone
// (config `audit.asn_zone`) with the iterative resolver discovery uses, from the same root hints
// (so a lab's private tree works as the Internet does). The reading of the TXT answer is
// audit/asn.hpp's.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "audit/evidence.hpp"
#include "delegation/iterative.hpp"

namespace nswatch {

/// address -> its ASN(s), or the error; every address gets an entry. IPv6 addresses are asked under
/// `asn_zone_ipv6` when it is set. One resolver for all the addresses, so the walk to the ASN
/// zone's servers is done once.
std::map<std::string, AsnLookup> lookup_asns(ProbeEngine& engine,
                                             const std::vector<RootServer>& hints,
                                             const std::vector<std::string>& addresses,
                                             const std::string& asn_zone,
                                             const std::string& asn_zone_ipv6,
                                             ResolverOptions options);

}  // namespace nswatch
