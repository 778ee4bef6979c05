// IMPLEMENTATION NOTES
// One pass collects the answered serials (outcome ok with an SOA); everything else is no_answer.
// A timeout is deliberately not "behind": a server that stopped answering may still hold an old
// serial, but we did not see it, and a frozen server is an availability problem, not lag.
// The reference serial is chosen in this order:
//   1. the named primary's serial (the newest among the primary's own answers), so that a
//      secondary ahead of the primary can be flagged (CONS-SERIAL: a secondary ahead = ERROR);
//   2. otherwise the newest answered serial (newest_serial in serial.cpp);
//   3. otherwise none: the answers have no RFC 1982 maximum (two serials exactly 2^31 apart, or
//      serials spread over more than half the number space), so no answer can be called current
//      or behind and every answered result is undefined. The caller flags this as its own finding.
// behind_by is the RFC 1982 forward distance from the answered serial to the reference, so a zone
// that wrapped from 0xFFFFFFFF to 0 is 1 behind, not 4 billion.
#include "monitor/serial_round.hpp"

#include <algorithm>
#include <map>

#include "delegation/providers.hpp"  // normalize_ns_name
#include "dns/serial.hpp"

namespace nswatch {

namespace {

bool answered(const ProbeResult& r) {
    return r.outcome == Outcome::ok && r.soa.has_value();
}

AddressSerialState judge(const ProbeResult& r, const SerialRound& round) {
    AddressSerialState a;
    a.target = r.target;
    if (!answered(r)) {
        a.state = SerialState::no_answer;
        return a;
    }
    a.serial = r.soa->serial;
    if (!round.reference) {
        a.state = SerialState::undefined;
        return a;
    }
    switch (compare_serials(*a.serial, *round.reference)) {
        case SerialOrder::equal:
            a.state = SerialState::current;
            break;
        case SerialOrder::less:
            a.state = SerialState::behind;
            a.behind_by = serial_distance(*a.serial, *round.reference).value_or(0);
            break;
        case SerialOrder::greater:
            // Only reachable with a primary reference: nothing is greater than the newest serial.
            a.state = SerialState::ahead_of_primary;
            break;
        case SerialOrder::undefined:
            a.state = SerialState::undefined;
            break;
    }
    return a;
}

}  // namespace

SerialVerdict judge_serial(uint32_t serial, std::optional<uint32_t> reference,
                           bool primary_reference) {
    if (!reference) return {SerialState::undefined, 0};
    switch (compare_serials(serial, *reference)) {
        case SerialOrder::equal:
            return {SerialState::current, 0};
        case SerialOrder::less:
            return {SerialState::behind, serial_distance(serial, *reference).value_or(0)};
        case SerialOrder::greater:
            // Newer than the newest cannot be; newer than the primary is a secondary ahead of it.
            return {primary_reference ? SerialState::ahead_of_primary : SerialState::current, 0};
        case SerialOrder::undefined:
            break;
    }
    return {SerialState::undefined, 0};
}

std::string_view to_string(SerialState s) {
    switch (s) {
        case SerialState::current:
            return "current";
        case SerialState::behind:
            return "behind";
        case SerialState::ahead_of_primary:
            return "ahead_of_primary";
        case SerialState::undefined:
            return "undefined";
        case SerialState::no_answer:
            return "no_answer";
    }
    return "?";
}

std::string_view to_string(SerialReference r) {
    switch (r) {
        case SerialReference::none:
            return "none";
        case SerialReference::newest:
            return "newest";
        case SerialReference::primary:
            return "primary";
    }
    return "?";
}

SerialRound evaluate_serial_round(const std::vector<ProbeResult>& results,
                                  std::optional<std::string_view> primary_nameserver) {
    SerialRound round;

    std::vector<uint32_t> all_serials;
    std::vector<uint32_t> primary_serials;
    const std::optional<std::string> primary =
        primary_nameserver ? std::optional<std::string>(normalize_ns_name(*primary_nameserver))
                           : std::nullopt;
    for (const ProbeResult& r : results) {
        if (!answered(r)) {
            continue;
        }
        all_serials.push_back(r.soa->serial);
        if (primary && normalize_ns_name(r.target.nameserver) == *primary) {
            primary_serials.push_back(r.soa->serial);
        }
    }

    round.newest = newest_serial(all_serials);
    round.primary_serial = newest_serial(primary_serials);
    if (round.primary_serial) {
        round.reference_kind = SerialReference::primary;
        round.reference = round.primary_serial;
    } else if (round.newest) {
        round.reference_kind = SerialReference::newest;
        round.reference = round.newest;
    }

    round.addresses.reserve(results.size());
    for (const ProbeResult& r : results) {
        round.addresses.push_back(judge(r, round));
    }

    // std::map keeps the providers sorted by name; serials are gathered for min_serial.
    std::map<std::string, std::pair<ProviderSerialSummary, std::vector<uint32_t>>> by_provider;
    for (const AddressSerialState& a : round.addresses) {
        auto& [summary, serials] = by_provider[a.target.provider];
        summary.provider = a.target.provider;
        ++summary.results;
        switch (a.state) {
            case SerialState::current:
                ++summary.current;
                break;
            case SerialState::behind:
                ++summary.behind;
                break;
            case SerialState::ahead_of_primary:
                ++summary.ahead_of_primary;
                break;
            case SerialState::undefined:
                ++summary.undefined;
                break;
            case SerialState::no_answer:
                ++summary.no_answer;
                break;
        }
        summary.max_behind_by = std::max(summary.max_behind_by, a.behind_by);
        if (a.serial) {
            serials.push_back(*a.serial);
        }
    }
    round.providers.reserve(by_provider.size());
    for (auto& [name, entry] : by_provider) {
        entry.first.min_serial = oldest_serial(entry.second);
        round.providers.push_back(std::move(entry.first));
    }
    return round;
}

std::vector<std::string> lagging_providers(const SerialRound& round) {
    std::vector<std::string> out;
    for (const ProviderSerialSummary& p : round.providers) {
        if (p.behind > 0) {
            out.push_back(p.provider);
        }
    }
    return out;  // round.providers is sorted by name, so this is too
}

}  // namespace nswatch
