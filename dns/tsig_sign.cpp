#include "dns/tsig_sign.hpp"

#include <ldns/ldns.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <memory>

#include "dns/dns_name.hpp"

namespace nswatch {

namespace {

struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using RdfPtr = std::unique_ptr<ldns_rdf, RdfFree>;

const EVP_MD* digest_of(const std::string& algorithm) {
    const std::string a = canonical_name(algorithm);
    if (a == "hmac-md5.sig-alg.reg.int") return EVP_md5();
    if (a == "hmac-sha1") return EVP_sha1();
    if (a == "hmac-sha224") return EVP_sha224();
    if (a == "hmac-sha256") return EVP_sha256();
    if (a == "hmac-sha384") return EVP_sha384();
    if (a == "hmac-sha512") return EVP_sha512();
    return nullptr;
}

// A lower-case (canonical, RFC 8945 §4.3.3) domain name rdf for `name`.
RdfPtr canonical_dname(const std::string& name) {
    RdfPtr rdf(ldns_dname_new_frm_str((canonical_name(name) + ".").c_str()));
    if (rdf) ldns_dname2canonical(rdf.get());
    return rdf;
}

void append(std::vector<uint8_t>& out, const ldns_rdf* rdf) {
    const uint8_t* d = ldns_rdf_data(rdf);
    out.insert(out.end(), d, d + ldns_rdf_size(rdf));
}

void append_u16(std::vector<uint8_t>& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v & 0xFF));
}

}  // namespace

std::vector<uint8_t> tsig_time_bytes(uint64_t seconds) {
    std::vector<uint8_t> out(6);
    for (int i = 5; i >= 0; --i) {
        out[static_cast<size_t>(i)] = static_cast<uint8_t>(seconds & 0xFF);
        seconds >>= 8;
    }
    return out;
}

bool tsig_read_time(const uint8_t* bytes, size_t size, uint64_t& seconds) {
    if (bytes == nullptr || size != 6) return false;
    seconds = 0;
    for (size_t i = 0; i < 6; ++i) seconds = (seconds << 8) | bytes[i];
    return true;
}

std::string tsig_sign(ldns_pkt* pkt, const TsigKey& key, const TsigFields& fields,
                      const ldns_rdf* request_mac) {
    if (pkt == nullptr || ldns_pkt_tsig(pkt) != nullptr) return "no message, or already signed";
    const EVP_MD* md = digest_of(key.algorithm);
    if (md == nullptr) return "unknown TSIG algorithm '" + key.algorithm + "'";
    ldns_rdf* secret_raw = nullptr;
    if (ldns_str2rdf_b64(&secret_raw, key.secret.c_str()) != LDNS_STATUS_OK) {
        return "the secret of key '" + key.name + "' is not base64";
    }
    const RdfPtr secret(secret_raw);
    RdfPtr name = canonical_dname(key.name);
    RdfPtr algorithm = canonical_dname(key.algorithm);
    if (!name || !algorithm) return "key name or algorithm is not a domain name";

    uint8_t* wire = nullptr;
    size_t wire_size = 0;
    if (ldns_pkt2wire(&wire, pkt, &wire_size) != LDNS_STATUS_OK) {
        std::free(wire);
        return "the message does not render";
    }
    // The digest input of RFC 8945 §4.3: request MAC (with its length), the message, then the
    // TSIG variables in wire form.
    std::vector<uint8_t> input;
    if (request_mac != nullptr) append(input, request_mac);
    input.insert(input.end(), wire, wire + wire_size);
    std::free(wire);
    append(input, name.get());
    append_u16(input, LDNS_RR_CLASS_ANY);
    input.insert(input.end(), {0, 0, 0, 0});  // TTL
    append(input, algorithm.get());
    const auto time = tsig_time_bytes(fields.time_signed);
    input.insert(input.end(), time.begin(), time.end());
    append_u16(input, fields.fudge);
    append_u16(input, fields.error);
    append_u16(input, static_cast<uint16_t>(fields.other_data.size()));
    input.insert(input.end(), fields.other_data.begin(), fields.other_data.end());

    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    if (HMAC(md, ldns_rdf_data(secret.get()), static_cast<int>(ldns_rdf_size(secret.get())),
             input.data(), input.size(), mac, &mac_size) == nullptr) {
        return "HMAC failed";
    }

    ldns_rr* rr = ldns_rr_new();
    ldns_rr_set_owner(rr, name.release());
    ldns_rr_set_class(rr, LDNS_RR_CLASS_ANY);
    ldns_rr_set_type(rr, LDNS_RR_TYPE_TSIG);
    ldns_rr_set_ttl(rr, 0);
    ldns_rr_push_rdf(rr, algorithm.release());
    ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_TSIGTIME, time.size(), time.data()));
    ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, fields.fudge));
    ldns_rr_push_rdf(rr, ldns_native2rdf_int16_data(mac_size, mac));
    ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, ldns_pkt_id(pkt)));
    ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, fields.error));
    std::vector<uint8_t> other = fields.other_data;
    ldns_rr_push_rdf(rr, ldns_native2rdf_int16_data(other.size(), other.data()));
    ldns_pkt_set_tsig(pkt, rr);
    return {};
}

}  // namespace nswatch
