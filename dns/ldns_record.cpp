#include "dns/ldns_record.hpp"

#include "dns/rr_types.hpp"

namespace nswatch {

LdnsRrPtr to_ldns(const Record& r) {
    const std::string text =
        r.owner + " " + std::to_string(r.ttl) + " IN " + rr_type_name(r.type) + " " + r.rdata;
    ldns_rr* raw = nullptr;
    if (ldns_rr_new_frm_str(&raw, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
        return nullptr;
    }
    return LdnsRrPtr(raw);
}

}  // namespace nswatch
