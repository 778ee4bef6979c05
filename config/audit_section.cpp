#include "config/audit_section.hpp"

#include <limits>

#include "config/names.hpp"

namespace nswatch::config_detail {

void read_audit_section(const Reader& in, const Field& field, AuditThresholds& t) {
    MapFields m =
        in.map(field, {"min_expire", "min_refresh", "min_retry", "min_minimum", "max_minimum",
                       "ns_ttl_error", "ns_ttl_warning", "critical_ttl", "min_providers",
                       "min_ns_per_provider", "signature_warning", "private_addresses_ok",
                       "compare_soa_fields", "asn_zone", "asn_zone_ipv6"});
    constexpr int64_t kMax = std::numeric_limits<uint32_t>::max();
    // Timers and TTLs are durations in the config ("7d", "4h") and seconds in DNS.
    auto seconds = [&](const char* key, uint32_t& out) {
        if (const Field* f = m.get(key))
            out = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                            in.duration(*f, std::chrono::milliseconds(0),
                                                        std::chrono::milliseconds(kMax * 1000)))
                                            .count());
    };
    seconds("min_expire", t.min_expire);
    seconds("min_refresh", t.min_refresh);
    seconds("min_retry", t.min_retry);
    seconds("min_minimum", t.min_minimum);
    seconds("max_minimum", t.max_minimum);
    seconds("ns_ttl_error", t.ns_ttl_error);
    seconds("ns_ttl_warning", t.ns_ttl_warning);
    seconds("critical_ttl", t.critical_ttl);
    if (const Field* f = m.get("min_providers"))
        t.min_providers = static_cast<int>(in.integer(*f, 1, 100));
    if (const Field* f = m.get("min_ns_per_provider"))
        t.min_ns_per_provider = static_cast<int>(in.integer(*f, 1, 100));
    if (const Field* f = m.get("signature_warning"))
        t.sig_warning = std::chrono::duration_cast<std::chrono::seconds>(
            in.duration(*f, std::chrono::milliseconds(0), std::chrono::hours(24 * 3650)));
    if (const Field* f = m.get("private_addresses_ok")) t.private_addresses_ok = in.boolean(*f);
    if (const Field* f = m.get("compare_soa_fields")) t.compare_soa_fields = in.boolean(*f);
    for (auto [key, out] :
         {std::pair{"asn_zone", &t.asn_zone}, std::pair{"asn_zone_ipv6", &t.asn_zone_ipv6}}) {
        const Field* f = m.get(key);
        if (f == nullptr) continue;
        std::string why;
        const auto zone = normalize_domain_name(in.string(*f, "a domain name"), &why);
        if (!zone) in.fail(*f, std::string(key) + ": " + why);
        *out = *zone;
    }
}

}  // namespace nswatch::config_detail
