#include "monitor/signatures.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

std::string canonical(std::string n) {
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    if (n.empty() || n.back() != '.') n += '.';
    return n;
}

bool usable(const ProbeResult& r) {
    return r.outcome == Outcome::ok;
}

}  // namespace

std::string describe(const SignatureProblem& p) {
    std::string s = p.nameserver + " [" + p.address + "]: " + p.rrset;
    switch (p.fault) {
        case SignatureFault::missing_rrsig:
            return s + " has no RRSIG (missing_rrsig)";
        case SignatureFault::unknown_key:
            return s + " RRSIG by " + p.key + ", a key not in its DNSKEY set (unknown_key)";
        case SignatureFault::bogus:
            return s + " RRSIG by " + p.key + " does not verify (bogus)";
        case SignatureFault::expired:
            return s + " RRSIG by " + p.key + " is outside its validity period (expired)";
    }
    return s;
}

std::vector<ProviderSignatures> check_provider_signatures(
    const std::string& zone, const std::vector<ProbeResult>& serial,
    const std::vector<ProbeResult>& watched, std::chrono::system_clock::time_point now) {
    const std::string apex = canonical(zone);
    // (provider, vantage, nameserver, address) -> that address's results
    using Where = std::tuple<std::string, std::string, std::string, std::string>;
    std::map<Where, std::vector<const ProbeResult*>> by_address;
    for (const auto* results : {&serial, &watched}) {
        for (const auto& r : *results) {
            if (!usable(r)) continue;
            by_address[{r.target.provider, r.target.vantage, r.target.nameserver, r.target.address}]
                .push_back(&r);
        }
    }
    std::map<std::pair<std::string, std::string>, ProviderSignatures> out;
    for (const auto& [where, rs] : by_address) {
        const auto& [provider, vantage, nameserver, address] = where;
        const ProbeResult* keys = nullptr;
        bool any_rrsig = false;
        for (const auto* r : rs) {
            if (r->query.type == kTypeDnskey && canonical(r->query.name) == apex) keys = r;
            for (const auto& rec : r->answer) any_rrsig = any_rrsig || rec.type == kTypeRrsig;
        }
        if (keys == nullptr) continue;  // not judged this round
        std::vector<Record> dnskeys;
        for (const auto& rec : keys->answer) {
            if (rec.type == kTypeDnskey && canonical(rec.owner) == apex) dnskeys.push_back(rec);
        }
        if (dnskeys.empty() && !any_rrsig) continue;  // unsigned here
        auto& ps = out[{provider, vantage}];
        ps.provider = provider;
        ps.vantage = vantage;
        std::set<std::pair<std::string, uint16_t>> checked;  // per address: UDP and TCP alike
        for (const auto* r : rs) {
            const std::string owner = canonical(r->query.name);
            if (!checked.insert({owner, r->query.type}).second) continue;
            const auto v = check_rrset_signatures(owner, r->query.type, r->answer, dnskeys, now);
            if (!v) continue;
            ++ps.rrsets;
            if (v->expires && (!ps.expires || *v->expires < *ps.expires)) ps.expires = v->expires;
            if (!v->fault) continue;
            ps.problems.push_back({nameserver, address, owner + " " + rr_type_name(r->query.type),
                                   *v->fault, v->key});
        }
    }
    std::vector<ProviderSignatures> list;
    for (auto& [key, ps] : out) {
        std::sort(ps.problems.begin(), ps.problems.end(),
                  [](const SignatureProblem& a, const SignatureProblem& b) {
                      return std::tie(a.nameserver, a.address, a.rrset, a.key) <
                             std::tie(b.nameserver, b.address, b.rrset, b.key);
                  });
        list.push_back(std::move(ps));
    }
    return list;
}

}  // namespace nswatch
