#include "dns/rr_types.hpp"

#include <ldns/ldns.h>

#include <cctype>
#include <cstdlib>

namespace nswatch {

std::string rr_type_name(uint16_t type) {
    // ldns knows every registered type's mnemonic and writes "TYPEnnn" (RFC 3597) for the rest.
    char* s = ldns_rr_type2str(static_cast<ldns_rr_type>(type));
    std::string out = s ? s : "TYPE" + std::to_string(type);
    std::free(s);
    return out;
}

std::string rcode_name(int rcode) {
    if (rcode < 0) return "-";
    // BADVERS (16) needs the OPT's extended bits; ldns's table knows the 4-bit header codes.
    if (rcode == 16) return "BADVERS";
    const ldns_lookup_table* t = ldns_lookup_by_id(ldns_rcodes, rcode);
    return t != nullptr ? t->name : "RCODE" + std::to_string(rcode);
}

std::optional<uint16_t> rr_type_from_name(std::string_view name) {
    std::string upper(name);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ldns_rr_type t = ldns_get_rr_type_by_name(upper.c_str());
    if (t == 0) return std::nullopt;
    return static_cast<uint16_t>(t);
}

}  // namespace nswatch
