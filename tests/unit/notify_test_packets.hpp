// Hand-built NOTIFY messages for the notify tests (ldns builds them; the malformed ones are cut
// or mutated from these bytes).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "dns/dns_name.hpp"
#include "dns/tsig_sign.hpp"
// Last: ldns's macros upset <optional> when it comes first.
#include <ldns/ldns.h>

namespace nswatch::test {

inline constexpr const char* kKeySecret = "bnN3YXRjaC1ub3RpZnkta2V5LXRlc3Qtc2VjcmV0IQ==";
inline constexpr const char* kOtherSecret = "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC1vdGhlcg==";

struct NotifyBuild {
    std::string zone = "shop.test.";
    std::optional<uint32_t> serial = 2026112202;
    uint16_t id = 0x4242;
    ldns_pkt_opcode opcode = LDNS_PACKET_NOTIFY;
    bool qr = false;
    ldns_rr_type qtype = LDNS_RR_TYPE_SOA;
    std::string key_name;                 ///< sign with this key when non-empty
    std::string key_secret = kKeySecret;  ///< the secret to sign with
    /// Sign at this time (dns/tsig_sign) rather than ldns's clock; the fudge goes with it.
    std::optional<uint64_t> time_signed;
    uint16_t fudge = 300;
};

/// Wire bytes of a NOTIFY as a primary sends it (AA set, SOA in the answer section).
inline std::vector<uint8_t> build_notify(const NotifyBuild& b) {
    ldns_rdf* name = ldns_dname_new_frm_str(b.zone.c_str());
    ldns_pkt* pkt = ldns_pkt_query_new(name, b.qtype, LDNS_RR_CLASS_IN, LDNS_AA);
    ldns_pkt_set_id(pkt, b.id);
    ldns_pkt_set_opcode(pkt, b.opcode);
    ldns_pkt_set_qr(pkt, b.qr);
    if (b.serial) {
        ldns_rr* soa = nullptr;
        const std::string text = b.zone + " 3600 IN SOA ns1.alpha-dns.test. hostmaster." + b.zone +
                                 " " + std::to_string(*b.serial) + " 14400 3600 1209600 300";
        ldns_rr_new_frm_str(&soa, text.c_str(), 0, nullptr, nullptr);
        ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, soa);
    }
    if (!b.key_name.empty() && b.time_signed) {
        const TsigKey key{canonical_name(b.key_name), "hmac-sha256", b.key_secret};
        tsig_sign(pkt, key, TsigFields{*b.time_signed, b.fudge, 0, {}}, nullptr);
    } else if (!b.key_name.empty()) {
        ldns_pkt_tsig_sign(pkt, b.key_name.c_str(), b.key_secret.c_str(), 300, "hmac-sha256.",
                           nullptr);
    }
    uint8_t* wire = nullptr;
    size_t size = 0;
    ldns_pkt2wire(&wire, pkt, &size);
    std::vector<uint8_t> out(wire, wire + size);
    std::free(wire);
    ldns_pkt_free(pkt);
    return out;
}

}  // namespace nswatch::test
