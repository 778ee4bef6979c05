// Naming DNSSEC keys the way operators do: "key tag/algorithm" (RFC 4034 Appendix B), for a
// DNSKEY or CDNSKEY record (the tag computed by ldns) and a DS or CDS record (the tag it names).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nswatch {

/// DNSKEY, CDNSKEY, DS and CDS: the record types whose differences are best told by key.
bool names_a_key(uint16_t type);

/// "62884/13" for a record of one of those types given as presentation-format RDATA; nullopt
/// when the RDATA does not parse or the type names no key.
std::optional<std::string> key_id(uint16_t type, const std::string& rdata);

}  // namespace nswatch
