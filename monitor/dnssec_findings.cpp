#include "monitor/dnssec_findings.hpp"

#include "monitor/keysets.hpp"
#include "monitor/signatures.hpp"

namespace nswatch {

std::vector<DnssecFinding> dnssec_findings(const ZoneState& zone) {
    std::vector<DnssecFinding> out;
    for (const auto& k : zone.keysets) {
        if (std::string text = describe(k); !text.empty()) {
            out.push_back({"keyset_mismatch", std::move(text)});
        }
    }
    for (const auto& s : zone.signatures) {
        for (const auto& p : s.problems) {
            out.push_back({"dnssec_invalid", "[" + s.provider + "] " + describe(p)});
        }
    }
    return out;
}

}  // namespace nswatch
