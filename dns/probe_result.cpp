#include "dns/probe_result.hpp"

#include <array>
#include <sstream>
#include <utility>

namespace nswatch {

namespace {
constexpr std::array<std::pair<Outcome, std::string_view>, 14> kOutcomeNames{{
    {Outcome::ok, "ok"},
    {Outcome::timeout, "timeout"},
    {Outcome::refused, "refused"},
    {Outcome::servfail, "servfail"},
    {Outcome::nxdomain, "nxdomain"},
    {Outcome::formerr, "formerr"},
    {Outcome::not_authoritative, "not_authoritative"},
    {Outcome::truncated, "truncated"},
    {Outcome::id_mismatch, "id_mismatch"},
    {Outcome::question_mismatch, "question_mismatch"},
    {Outcome::malformed, "malformed"},
    {Outcome::network_error, "network_error"},
    {Outcome::wrong_owner, "wrong_owner"},
    {Outcome::local_error, "local_error"},
}};
}  // namespace

std::string_view to_string(Outcome o) {
    for (const auto& [value, name] : kOutcomeNames) {
        if (value == o) return name;
    }
    return "unknown";
}

std::optional<Outcome> outcome_from_string(std::string_view s) {
    for (const auto& [value, name] : kOutcomeNames) {
        if (name == s) return value;
    }
    return std::nullopt;
}

std::string_view to_string(Transport t) {
    return t == Transport::udp ? "udp" : "tcp";
}
std::string_view to_string(Family f) {
    return f == Family::ipv4 ? "ipv4" : "ipv6";
}

std::string describe(const ProbeResult& r) {
    std::ostringstream out;
    out << r.target.nameserver << " [" << r.target.address << "]:" << r.target.port << " "
        << to_string(r.target.transport) << " " << r.query.name << "/" << r.query.type << " -> "
        << to_string(r.outcome) << " rcode=" << r.rcode << (r.aa ? " aa" : "")
        << (r.tc ? " tc" : "")
        << " rtt=" << std::chrono::duration<double, std::milli>(r.rtt).count() << "ms";
    if (r.connect_time) {
        out << " connect=" << std::chrono::duration<double, std::milli>(*r.connect_time).count()
            << "ms";
    }
    if (r.soa) out << " serial=" << r.soa->serial;
    if (!r.detail.empty()) out << " (" << r.detail << ")";
    for (const auto& e : r.extended_errors) out << " [" << describe(e) << "]";
    return out.str();
}

}  // namespace nswatch
