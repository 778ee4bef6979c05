#include "prober/query.hpp"

#include <ldns/ldns.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace nswatch {

namespace {
struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;

// EDNS option NSID (RFC 5001): code 3, empty payload in a query.
constexpr uint8_t kNsidOption[] = {0x00, 0x03,   // option code 3 = NSID
                                   0x00, 0x00};  // option length 0
constexpr uint16_t kNsidCode = 3;

/// The OPT RDATA for NSID (when asked) followed by `extra`, as one rdf the packet will own. Built
/// with ldns's option list so that the code/length framing is ldns's, not ours.
ldns_rdf* edns_options_rdf(bool nsid, const std::vector<EdnsOption>& extra) {
    ldns_edns_option_list* list = ldns_edns_option_list_new();
    if (list == nullptr) throw std::runtime_error("ldns could not allocate an EDNS option list");
    auto push = [&](uint16_t code, size_t size, const void* data) {
        ldns_edns_option* o =
            ldns_edns_new_from_data(static_cast<ldns_edns_option_code>(code), size, data);
        if (o == nullptr || !ldns_edns_option_list_push(list, o)) {
            if (o != nullptr) ldns_edns_deep_free(o);
            ldns_edns_option_list_deep_free(list);
            throw std::runtime_error("ldns could not add EDNS option " + std::to_string(code));
        }
    };
    static constexpr uint8_t kNoPayload = 0;  // ldns copies `size` bytes: a valid pointer for 0
    if (nsid) push(kNsidCode, 0, &kNoPayload);
    for (const auto& o : extra)
        push(o.code, o.data.size(), o.data.empty() ? &kNoPayload : o.data.data());
    ldns_buffer* wire = ldns_edns_option_list2wireformat_buffer(list);
    ldns_edns_option_list_deep_free(list);
    if (wire == nullptr) throw std::runtime_error("ldns could not serialise the EDNS options");
    // The buffer comes back flipped: its limit is the number of octets written.
    ldns_rdf* rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, ldns_buffer_limit(wire),
                                          ldns_buffer_begin(wire));
    ldns_buffer_free(wire);
    return rdf;
}
}  // namespace

std::vector<uint8_t> build_query(const Query& q, uint16_t id) {
    ldns_rdf* owner = ldns_dname_new_frm_str(q.name.empty() ? "." : q.name.c_str());
    if (owner == nullptr) throw std::invalid_argument("not a valid domain name: '" + q.name + "'");
    // ldns_pkt_query_new takes ownership of owner.
    PktPtr pkt(ldns_pkt_query_new(owner, static_cast<ldns_rr_type>(q.type), LDNS_RR_CLASS_IN,
                                  q.recursion_desired ? LDNS_RD : 0));
    if (!pkt) throw std::runtime_error("ldns could not build a query for '" + q.name + "'");
    ldns_pkt_set_id(pkt.get(), id);
    if (q.edns) {
        ldns_pkt_set_edns_udp_size(pkt.get(), q.edns_buffer_size);
        ldns_pkt_set_edns_do(pkt.get(), q.dnssec_ok);
        ldns_pkt_set_edns_version(pkt.get(), q.edns_version);
        if (!q.edns_options.empty()) {
            ldns_pkt_set_edns_data(pkt.get(), edns_options_rdf(q.nsid, q.edns_options));
        } else if (q.nsid) {
            // The rdf holds a copy of the option bytes; the packet owns the rdf and frees it.
            ldns_pkt_set_edns_data(
                pkt.get(),
                ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, sizeof kNsidOption, kNsidOption));
        }
    }
    uint8_t* wire = nullptr;
    size_t size = 0;
    if (ldns_pkt2wire(&wire, pkt.get(), &size) != LDNS_STATUS_OK) {
        std::free(wire);
        throw std::runtime_error("ldns could not serialise a query for '" + q.name + "'");
    }
    std::vector<uint8_t> out(wire, wire + size);
    std::free(wire);
    return out;
}

}  // namespace nswatch
