// IP-to-ASN data from a Team Cymru-style TXT zone (NET-ASN): the name to ask for an address and
// the reading of the answer. Pure functions; the look-ups themselves are audit/asn_lookup.cpp's.
//
// IMPLEMENTATION NOTES
// - The name is the address reversed under the zone, as in in-addr.arpa and ip6.arpa: IPv4
//   a.b.c.d -> d.c.b.a.<zone>; IPv6 -> its 32 nibbles, lowest first, under the zone.
// - Each TXT record is one line "ASN [ASN ...] | prefix | CC | registry | date" (the format of
//   Team Cymru's origin.asn.cymru.com). Only the first field is required; several ASNs mean a
//   multi-origin prefix. When several records answer (overlapping prefixes), the most specific
//   prefix wins, because that is the route packets follow.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/evidence.hpp"

namespace nswatch {

/// The TXT name to ask for `address` under `zone` ("1.1.62.127.asn.test"), or nullopt when
/// `address` is not an IPv4 or IPv6 literal.
std::optional<std::string> asn_query_name(const std::string& address, const std::string& zone);

/// One TXT line in Team Cymru format; `error` says what is wrong when `asns` is empty.
AsnLookup parse_asn_line(std::string_view line);

/// The answer's TXT records, rdata as ldns prints it ("\"64500 | 127.62.1.0/24 | ZZ\""), read
/// into the origin ASN(s) of the most specific prefix; `error` set when none is usable.
AsnLookup asn_from_txt_rdata(const std::vector<std::string>& rdata);

}  // namespace nswatch
