#include "dns/key_id.hpp"

#include <ldns/ldns.h>

#include <memory>
#include <sstream>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {
struct RrFree {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
}  // namespace

bool names_a_key(uint16_t type) {
    return type == kTypeDnskey || type == kTypeCdnskey || type == kTypeDs || type == kTypeCds;
}

std::optional<std::string> key_id(uint16_t type, const std::string& rdata) {
    if (type == kTypeDs || type == kTypeCds) {
        // "KEYTAG ALGORITHM DIGESTTYPE DIGEST": the tag and algorithm are its first fields.
        std::istringstream in(rdata);
        unsigned tag = 0, algorithm = 0;
        if (!(in >> tag >> algorithm) || tag > 65535 || algorithm > 255) return std::nullopt;
        return std::to_string(tag) + "/" + std::to_string(algorithm);
    }
    if (type != kTypeDnskey && type != kTypeCdnskey) return std::nullopt;
    // ldns computes a DNSKEY's tag; a CDNSKEY has the same RDATA (RFC 7344 §3.2).
    ldns_rr* raw = nullptr;
    const std::string text = "key.invalid. 3600 IN DNSKEY " + rdata;
    if (ldns_rr_new_frm_str(&raw, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
        return std::nullopt;
    }
    const std::unique_ptr<ldns_rr, RrFree> rr(raw);
    if (ldns_rr_rd_count(rr.get()) < 4) return std::nullopt;
    return std::to_string(ldns_calc_keytag(rr.get())) + "/" +
           std::to_string(ldns_rdf2native_int8(ldns_rr_rdf(rr.get(), 2)));
}

}  // namespace nswatch
