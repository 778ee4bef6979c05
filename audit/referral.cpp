#include "audit/referral.hpp"

// ldns/common.h #defines bool unless <stdbool.h> came first (see tests/tools/baddns/baddns.hpp).
#include <stdbool.h>
// clang-format off
#include <ldns/ldns.h>
// clang-format on

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace nswatch {

namespace {

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};

std::string with_dot(const std::string& name) {
    return !name.empty() && name.back() == '.' ? name : name + ".";
}

/// `name` is `zone` or below it (both without trailing dots, lower case).
bool at_or_below(const std::string& name, const std::string& zone) {
    return name == zone || (name.size() > zone.size() && name.ends_with(zone) &&
                            name[name.size() - zone.size() - 1] == '.');
}

/// Add one record in presentation form to a section; false when ldns cannot parse it.
bool push(ldns_pkt* pkt, ldns_pkt_section section, const std::string& text) {
    ldns_rr* rr = nullptr;
    if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) return false;
    return ldns_pkt_push_rr(pkt, section, rr);
}

}  // namespace

std::string longest_name_under(const std::string& zone) {
    const std::string apex = with_dot(zone) == "." ? "" : with_dot(zone);
    // Wire length of the apex: each label costs its length plus one, and the root label one.
    size_t left = 255 - std::min<size_t>(apex.size() + 1, 255);
    std::string prefix;
    while (left >= 2) {
        size_t len = std::min<size_t>(63, left - 1);
        // Never leave a single octet: no label fits in it.
        if (left - (len + 1) == 1) --len;
        prefix += std::string(len, 'a') + ".";
        left -= len + 1;
    }
    return prefix + apex;
}

ReferralEstimate estimate_referral(const std::string& zone, const std::vector<std::string>& ns,
                                   const std::map<std::string, std::vector<std::string>>& glue) {
    ReferralEstimate out;
    std::unique_ptr<ldns_pkt, PktFree> pkt(ldns_pkt_new());
    if (!pkt) return out;
    ldns_pkt_set_qr(pkt.get(), true);
    ldns_pkt_set_id(pkt.get(), 1);
    const std::string qname = longest_name_under(zone);
    ldns_rr* question = ldns_rr_new();
    ldns_rdf* owner = ldns_dname_new_frm_str(qname.c_str());
    if (!question || !owner) {
        ldns_rr_free(question);
        ldns_rdf_deep_free(owner);
        return out;
    }
    ldns_rr_set_owner(question, owner);
    ldns_rr_set_type(question, LDNS_RR_TYPE_A);
    ldns_rr_set_class(question, LDNS_RR_CLASS_IN);
    ldns_rr_set_question(question, true);
    ldns_pkt_push_rr(pkt.get(), LDNS_SECTION_QUESTION, question);

    for (const auto& name : ns) {
        if (push(pkt.get(), LDNS_SECTION_AUTHORITY,
                 with_dot(zone) + " 86400 IN NS " + with_dot(name)))
            ++out.ns;
    }
    for (const auto& name : ns) {
        if (!at_or_below(name, zone)) continue;
        // The address values do not change the size; only which families have one does.
        std::string v4, v6;
        if (auto it = glue.find(name); it != glue.end()) {
            for (const auto& a : it->second) {
                auto& slot = a.find(':') == std::string::npos ? v4 : v6;
                if (slot.empty()) slot = a;
            }
        }
        if (v4.empty() && v6.empty()) {
            v4 = "192.0.2.1";
            v6 = "2001:db8::1";
        }
        if (!v4.empty() &&
            push(pkt.get(), LDNS_SECTION_ADDITIONAL, with_dot(name) + " 86400 IN A " + v4))
            ++out.glue;
        if (!v6.empty() &&
            push(pkt.get(), LDNS_SECTION_ADDITIONAL, with_dot(name) + " 86400 IN AAAA " + v6))
            ++out.glue;
    }
    uint8_t* wire = nullptr;
    size_t size = 0;
    if (ldns_pkt2wire(&wire, pkt.get(), &size) == LDNS_STATUS_OK) out.octets = size;
    std::free(wire);
    return out;
}

}  // namespace nswatch
