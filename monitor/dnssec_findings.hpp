// A zone's DNSSEC findings as sentences, for the places that list them beside the alerts that
// carry them (`nswatch status --from`, the status page): the keys a provider lacks
// (keyset_mismatch) and the signatures that do not validate with its own DNSKEY set
// (dnssec_invalid).
#pragma once

#include <string>
#include <vector>

#include "monitor/zone_state.hpp"

namespace nswatch {

struct DnssecFinding {
    std::string rule;  ///< "keyset_mismatch" or "dnssec_invalid"
    std::string text;  ///< "[beta] DNSKEY lacks 60485/13 (served by alpha)"
};

/// Key-set differences first (in comparison order), then signature problems by provider.
std::vector<DnssecFinding> dnssec_findings(const ZoneState& zone);

}  // namespace nswatch
