#include "dns/ldns_record.hpp"

#include <cctype>

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

bool same_dns_name(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

}  // namespace nswatch
