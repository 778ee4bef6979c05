// The multi-signer DNSSEC rules (RFC 8901): keyset_mismatch, a provider lacking a key another
// provider serves in its DNSKEY, CDS or CDNSKEY set (one alert per provider and record type), and
// dnssec_invalid, a provider whose answers do not validate with the DNSKEY set it serves itself or
// whose validating signatures run out within `threshold` (the re-sign margin). Both read what the
// last answer round found (ZoneState::keysets, ZoneState::signatures); a provider that was not
// judged in it keeps its alert (hold).
#include <algorithm>
#include <cstdio>
#include <set>

#include "alerts/rule_support.hpp"
#include "dns/rr_types.hpp"

namespace nswatch {

using namespace rule_support;

std::vector<Condition> keyset_mismatch(const RuleInput& in) {
    std::vector<Condition> out;
    std::set<Labels> reported;
    for (const auto& k : in.zone.keysets) {
        if (k.missing.empty()) continue;
        Labels labels{{"provider", k.provider}, {"rrtype", rr_type_name(k.type)}};
        reported.insert(labels);
        out.push_back(make(
            in, "keyset_mismatch", labels,
            "DNSSEC key sets of " + in.zone.zone + " differ across providers: " + describe(k)));
    }
    // Agreement among the providers that answered says nothing of one that did not. A zone
    // without keys (unsigned, or probe.dnssec_ok off) has nothing to hold.
    const bool any_keys = std::any_of(in.zone.keysets.begin(), in.zone.keysets.end(),
                                      [](const ProviderKeyset& k) { return !k.keys.empty(); });
    if (!in.zone.answers_complete && any_keys) {
        for (const auto& p : in.zone.providers) {
            for (uint16_t type : {kTypeDnskey, kTypeCds, kTypeCdnskey}) {
                Labels labels{{"provider", p.provider.str()}, {"rrtype", rr_type_name(type)}};
                if (reported.count(labels) == 0) out.push_back(hold(in, "keyset_mismatch", labels));
            }
        }
    }
    return out;
}

std::vector<Condition> dnssec_invalid(const RuleInput& in) {
    std::vector<Condition> out;
    std::set<GroupKey> judged;
    for (const auto& ps : in.zone.signatures) {
        judged.insert({ps.provider, ps.vantage});
        std::string s;
        for (size_t i = 0; i < ps.problems.size() && i < 3; ++i) {
            s += (i ? "; " : "") + describe(ps.problems[i]);
        }
        if (ps.problems.size() > 3) {
            s += "; and " + std::to_string(ps.problems.size() - 3) + " more";
        }
        std::string expiring;
        if (ps.expires && *ps.expires - in.now < in.settings.threshold) {
            char buf[128];
            std::snprintf(buf, sizeof buf,
                          "signatures that expire in %.1f h, within the re-sign margin %.1f h",
                          std::chrono::duration<double>(*ps.expires - in.now).count() / 3600,
                          std::chrono::duration<double>(in.settings.threshold).count() / 3600);
            expiring = buf;
        }
        if (s.empty() && expiring.empty()) continue;
        std::string summary = "provider " + ps.provider + " serves " + in.zone.zone + " with ";
        if (!s.empty()) summary += "DNSSEC that fails against its own DNSKEY set: " + s;
        if (!s.empty() && !expiring.empty()) summary += "; and with ";
        summary += expiring;
        out.push_back(make(in, "dnssec_invalid",
                           {{"provider", ps.provider}, {"vantage", ps.vantage}}, summary));
    }
    // A provider left out of a round that judged others (its DNSKEY question unanswered) keeps
    // its alert; a zone nobody's signatures were judged for (unsigned) holds nothing.
    if (judged.empty()) return out;
    for (const auto& [key, ts] : by_provider(in.zone)) {
        if (judged.count(key) != 0) continue;
        out.push_back(
            hold(in, "dnssec_invalid", {{"provider", key.provider}, {"vantage", key.vantage}}));
    }
    return out;
}

}  // namespace nswatch
