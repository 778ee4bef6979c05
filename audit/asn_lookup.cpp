#include "audit/asn_lookup.hpp"

#include "audit/asn.hpp"
#include "dns/rr_types.hpp"

namespace nswatch {

std::map<std::string, AsnLookup> lookup_asns(ProbeEngine& engine,
                                             const std::vector<RootServer>& hints,
                                             const std::vector<std::string>& addresses,
                                             const std::string& asn_zone,
                                             const std::string& asn_zone_ipv6,
                                             ResolverOptions options) {
    // The resolver's query budget guards against delegation loops; after the first look-up each
    // address costs about one query (the zone cut is cached), so the budget grows with them.
    options.max_queries += 4 * static_cast<int>(addresses.size());
    IterativeResolver resolver(engine, hints, options);
    std::map<std::string, AsnLookup> out;
    for (const auto& address : addresses) {
        if (out.count(address)) continue;
        AsnLookup& lookup = out[address];
        const bool v6 = address.find(':') != std::string::npos;
        const auto name =
            asn_query_name(address, v6 && !asn_zone_ipv6.empty() ? asn_zone_ipv6 : asn_zone);
        if (!name) {
            lookup.error = "'" + address + "' is not an IP address";
            continue;
        }
        const Resolution res = resolver.resolve(*name, kTypeTxt);
        if (res.rcode == 3) {
            lookup.error = *name + " does not exist (NXDOMAIN)";
            continue;
        }
        if (!res.ok()) {
            lookup.error =
                res.error.empty() ? *name + ": rcode " + std::to_string(res.rcode) : res.error;
            continue;
        }
        std::vector<std::string> txt;
        for (const auto& r : res.answer) {
            if (r.type == kTypeTxt) txt.push_back(r.rdata);
        }
        lookup = asn_from_txt_rdata(txt);
        if (!lookup.error.empty()) lookup.error = *name + ": " + lookup.error;
    }
    return out;
}

}  // namespace nswatch
