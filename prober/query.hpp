// Building query messages in wire format with ldns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// Wire-format DNS query for `q` with the given ID. Throws std::invalid_argument for a name ldns
/// cannot parse (e.g. a label over 63 octets).
std::vector<uint8_t> build_query(const Query& q, uint16_t id = 0);

}  // namespace nswatch
