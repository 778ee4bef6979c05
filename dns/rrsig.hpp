// When the RRSIGs in an answer expire: read from their presentation form (pure, no clock). Shared
// by the dnssec_signature_expiry alert rule and its metric.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// RRSIG rdata as ldns prints it: "SOA 13 2 3600 20261231000000 20261201000000 12345 zone. sig".
/// The expiration (5th field) is YYYYMMDDHHmmSS or, from some printers, seconds since the epoch;
/// nullopt when it is neither.
std::optional<std::chrono::system_clock::time_point> rrsig_expiration(const std::string& rdata);

/// The earliest expiration of the RRSIGs among `records`; nullopt when none has one.
std::optional<std::chrono::system_clock::time_point> earliest_rrsig_expiration(
    const std::vector<Record>& records);

}  // namespace nswatch
