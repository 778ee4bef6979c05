#include "alerts/recovery_text.hpp"

#include <algorithm>

namespace nswatch {

namespace {

std::string label(const Alert& a, const char* name) {
    auto it = a.labels.find(name);
    return it == a.labels.end() ? std::string() : it->second;
}

// "ns1.gamma-dns.test (127.53.3.1) of provider gamma"
std::string address_words(const Alert& a) {
    return label(a, "nameserver") + " (" + label(a, "address") + ") of provider " +
           label(a, "provider");
}

// "on all 4 addresses over UDP", "on 3 of 4 addresses over UDP"
std::string provider_addresses(const Alert& a, const ZoneState* zone) {
    if (zone == nullptr) return "";
    size_t n = 0, up = 0;
    for (const auto& t : zone->targets) {
        if (t.target.provider != label(a, "provider") || t.target.vantage != label(a, "vantage") ||
            t.target.transport != Transport::udp) {
            continue;
        }
        ++n;
        up += t.up ? 1 : 0;
    }
    if (n == 0) return "";
    if (up == n && n == 1) return " on its only address";
    if (up == n) return " on all " + std::to_string(n) + " addresses";
    return " on " + std::to_string(up) + " of " + std::to_string(n) + " addresses";
}

std::string newest_serial(const ZoneState* zone) {
    if (zone == nullptr || !zone->newest_serial) return "the newest serial";
    return "the newest serial " + std::to_string(*zone->newest_serial);
}

}  // namespace

std::string human_duration(std::chrono::seconds d) {
    long long s = std::max<long long>(0, d.count());
    const long long days = s / 86400, hours = s % 86400 / 3600, minutes = s % 3600 / 60;
    s %= 60;
    if (days > 0) return std::to_string(days) + " d " + std::to_string(hours) + " h";
    if (hours > 0) return std::to_string(hours) + " h " + std::to_string(minutes) + " m";
    if (minutes > 0) return std::to_string(minutes) + " m " + std::to_string(s) + " s";
    return std::to_string(s) + " s";
}

std::string recovery_text(const Alert& a, const ZoneState* zone, WallTime now) {
    const std::string z = label(a, "zone");
    const std::string vantage = " from vantage " + label(a, "vantage");
    const std::string lasted =
        human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - a.active_since));
    const std::string& r = a.rule;
    if (r == "provider_down") {
        return "provider " + label(a, "provider") + " answers again for " + z + vantage +
               provider_addresses(a, zone) + " after " + lasted + " down";
    }
    if (r == "nameserver_timeout" || r == "nameserver_down") {
        return address_words(a) + " answers again for " + z + vantage + " after " + lasted +
               (r == "nameserver_timeout" ? " without answers" : " of failures");
    }
    if (r == "tcp_failing") {
        return address_words(a) + " answers over TCP again for " + z + vantage + " after " + lasted;
    }
    if (r == "serial_lag") {
        return "provider " + label(a, "provider") + " serves " + newest_serial(zone) + " of " + z +
               " again" + vantage + ", " + lasted + " after its lag passed the threshold";
    }
    if (r == "serial_ahead") {
        return "provider " + label(a, "provider") + " no longer serves a serial of " + z +
               " ahead of the primary" + vantage + ", after " + lasted;
    }
    if (r == "zone_drift") {
        return "provider " + label(a, "provider") + " answers " + label(a, "record") + " of " + z +
               " as the reference says again, after " + lasted;
    }
    if (r == "answer_mismatch") {
        return "the watched answers of " + z + " agree across providers again after " + lasted;
    }
    if (r == "lame_delegation") {
        return address_words(a) + " answers authoritatively for " + z + " again" + vantage +
               " after " + lasted;
    }
    if (r == "delegation_mismatch") {
        return "the parent's and the zone's NS sets of " + z + " agree again after " + lasted;
    }
    if (r == "delegation_missing") {
        return "the parent delegates " + z + " again after " + lasted + " without a delegation";
    }
    if (r == "latency_high") {
        return address_words(a) + " answers " + z + " over " + label(a, "transport") +
               " below the latency threshold again" + vantage + " after " + lasted;
    }
    if (r == "dnssec_signature_expiry") {
        return "no RRSIG of " + z + " expires within the threshold any more, after " + lasted;
    }
    if (r == "keyset_mismatch") {
        return "provider " + label(a, "provider") + " serves every " + label(a, "rrtype") +
               " key of " + z + " the other providers serve again, after " + lasted;
    }
    if (r == "dnssec_invalid") {
        return "provider " + label(a, "provider") + " serves " + z +
               " with signatures that validate again" + vantage + ", after " + lasted;
    }
    return r + " no longer holds for " + z + " after " + lasted;
}

}  // namespace nswatch
