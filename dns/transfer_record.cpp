#include "dns/transfer_record.hpp"

#include <cstdlib>
#include <string>

namespace nswatch {

namespace {

std::string text_of(const ldns_rdf* rdf) {
    if (rdf == nullptr) return {};
    char* s = ldns_rdf2str(rdf);
    std::string out = s != nullptr ? s : "";
    std::free(s);
    return out;
}

}  // namespace

// ldns_rr2canonical lower-cases the owner and the names in the rdata (RFC 4034 §6.2).
Record transfer_record(ldns_rr* rr) {
    ldns_rr2canonical(rr);
    Record rec;
    rec.owner = text_of(ldns_rr_owner(rr));
    rec.type = static_cast<uint16_t>(ldns_rr_get_type(rr));
    rec.ttl = ldns_rr_ttl(rr);
    for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        if (i > 0) rec.rdata += ' ';
        rec.rdata += text_of(ldns_rr_rdf(rr, i));
    }
    return rec;
}

}  // namespace nswatch
