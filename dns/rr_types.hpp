// RR type numbers (IANA "Resource Record (RR) TYPEs") and their mnemonics, defined once for every
// folder: a type compared by number anywhere in nswatch is named here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nswatch {

inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypeNs = 2;
inline constexpr uint16_t kTypeCname = 5;
inline constexpr uint16_t kTypeSoa = 6;
inline constexpr uint16_t kTypeMx = 15;
inline constexpr uint16_t kTypeTxt = 16;
inline constexpr uint16_t kTypeAaaa = 28;
inline constexpr uint16_t kTypeDs = 43;
inline constexpr uint16_t kTypeRrsig = 46;
inline constexpr uint16_t kTypeNsec = 47;
inline constexpr uint16_t kTypeDnskey = 48;
inline constexpr uint16_t kTypeNsec3 = 50;
inline constexpr uint16_t kTypeNsec3param = 51;
inline constexpr uint16_t kTypeCds = 59;
inline constexpr uint16_t kTypeCdnskey = 60;

/// RR type mnemonic ("SOA", "AAAA", "TYPE65534" for one ldns does not know, RFC 3597) and back;
/// nullopt for an unknown mnemonic.
std::string rr_type_name(uint16_t type);
std::optional<uint16_t> rr_type_from_name(std::string_view name);

/// Response code mnemonic ("NOERROR", "REFUSED", "BADVERS", "RCODE23"); "-" for a negative code
/// (no reply parsed).
std::string rcode_name(int rcode);

}  // namespace nswatch
