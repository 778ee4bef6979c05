// DEL-REFERRAL-SIZE's measurement: the largest referral the parent could have to send for a zone,
// built as a real DNS message with ldns and sized in wire format.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "audit/evidence.hpp"

namespace nswatch {

/// A 255-octet query name (wire length, root label included) ending in `zone`, in labels of at most
/// 63 octets; `zone` itself when it is already that long.
std::string longest_name_under(const std::string& zone);

/// The referral the parent sends for `zone` in reply to an A query for longest_name_under(zone), as
/// Zonemaster DELEGATION03 builds it: every name of `ns` in the authority section and, for each NS
/// name at or below the zone (where glue is needed), one A and one AAAA glue record in the
/// additional section. `glue` maps NS names to the addresses known for them (the parent's glue, or
/// the resolved addresses): a family without a known address gets no glue, and a needed name with
/// no address at all gets one A and one AAAA (the worst case). Names compressed as ldns compresses
/// them (as servers do); no OPT record, since the 512-octet limit is for queries without EDNS.
ReferralEstimate estimate_referral(const std::string& zone, const std::vector<std::string>& ns,
                                   const std::map<std::string, std::vector<std::string>>& glue);

}  // namespace nswatch
