// Building query messages in wire format with ldns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// Wire-format DNS query for `q` with the given ID. Throws std::invalid_argument for a name ldns
/// cannot parse (e.g. a label over 63 octets).
std::vector<uint8_t> build_query(const Query& q, uint16_t id = 0);

/// RR type mnemonic ("SOA", "AAAA", "TYPE65534") and back; nullopt for an unknown mnemonic.
std::string rr_type_name(uint16_t type);
std::optional<uint16_t> rr_type_from_name(std::string_view name);

}  // namespace nswatch
