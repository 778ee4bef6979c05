// A DNSSEC signer for unit tests: a fresh ECDSA P-256 key (ldns) that signs RRsets given as
// Records and hands back Records as the prober keeps them (presentation form, names lower case).
#pragma once

#include <ldns/ldns.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"
#include "dns/rr_types.hpp"

namespace nswatch::test {

inline Record record_of(const ldns_rr* rr) {
    Record rec;
    char* owner = ldns_rdf2str(ldns_rr_owner(rr));
    rec.owner = owner;
    free(owner);
    std::transform(rec.owner.begin(), rec.owner.end(), rec.owner.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    rec.type = static_cast<uint16_t>(ldns_rr_get_type(rr));
    rec.ttl = ldns_rr_ttl(rr);
    for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        char* s = ldns_rdf2str(ldns_rr_rdf(rr, i));
        rec.rdata += (i ? " " : "") + std::string(s);
        free(s);
    }
    return rec;
}

inline ldns_rr* ldns_of(const Record& r) {
    ldns_rr* rr = nullptr;
    const std::string text =
        r.owner + " " + std::to_string(r.ttl) + " IN " + rr_type_name(r.type) + " " + r.rdata;
    if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
        throw std::runtime_error("test signer: cannot parse " + text);
    }
    return rr;
}

class TestSigner {
  public:
    /// A key of `zone` ("shop.test.") with DNSKEY flags `flags` whose signatures are valid from
    /// `inception` to `expiration`.
    TestSigner(const std::string& zone, uint16_t flags,
               std::chrono::system_clock::time_point inception,
               std::chrono::system_clock::time_point expiration) {
        key_ = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256);
        if (key_ == nullptr) throw std::runtime_error("test signer: no key");
        ldns_key_set_pubkey_owner(key_, ldns_dname_new_frm_str(zone.c_str()));
        ldns_key_set_flags(key_, flags);
        ldns_key_set_inception(
            key_, static_cast<uint32_t>(std::chrono::system_clock::to_time_t(inception)));
        ldns_key_set_expiration(
            key_, static_cast<uint32_t>(std::chrono::system_clock::to_time_t(expiration)));
        ldns_rr* dnskey = ldns_key2rr(key_);
        ldns_rr_set_ttl(dnskey, 3600);
        ldns_key_set_keytag(key_, ldns_calc_keytag(dnskey));
        dnskey_ = record_of(dnskey);
        ldns_rr_free(dnskey);
    }
    ~TestSigner() { ldns_key_deep_free(key_); }
    TestSigner(const TestSigner&) = delete;
    TestSigner& operator=(const TestSigner&) = delete;

    const Record& dnskey() const { return dnskey_; }
    std::string key_id() const {
        return std::to_string(ldns_key_keytag(key_)) + "/" + std::to_string(LDNS_ECDSAP256SHA256);
    }

    /// The RRSIG over `rrset` (records of one owner and type).
    Record sign(const std::vector<Record>& rrset) const {
        ldns_rr_list* list = ldns_rr_list_new();
        for (const auto& r : rrset) ldns_rr_list_push_rr(list, ldns_of(r));
        ldns_key_list* keys = ldns_key_list_new();
        ldns_key_list_push_key(keys, key_);
        ldns_rr_list* sigs = ldns_sign_public(list, keys);
        ldns_key_list_set_key_count(keys, 0);  // the key stays ours
        ldns_key_list_free(keys);
        ldns_rr_list_deep_free(list);
        if (sigs == nullptr || ldns_rr_list_rr_count(sigs) != 1) {
            throw std::runtime_error("test signer: signing failed");
        }
        Record sig = record_of(ldns_rr_list_rr(sigs, 0));
        ldns_rr_list_deep_free(sigs);
        return sig;
    }

  private:
    ldns_key* key_ = nullptr;
    Record dnskey_;
};

}  // namespace nswatch::test
