#include "dns/signature_check.hpp"

#include <ldns/ldns.h>

#include <memory>

#include "dns/dns_name.hpp"
#include "dns/ldns_record.hpp"
#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

int rank(SignatureFault f) {
    switch (f) {
        case SignatureFault::bogus:
            return 3;
        case SignatureFault::expired:
            return 2;
        case SignatureFault::unknown_key:
            return 1;
        case SignatureFault::missing_rrsig:
            return 0;
    }
    return 0;
}

}  // namespace

std::string_view to_string(SignatureFault f) {
    switch (f) {
        case SignatureFault::missing_rrsig:
            return "missing_rrsig";
        case SignatureFault::unknown_key:
            return "unknown_key";
        case SignatureFault::bogus:
            return "bogus";
        case SignatureFault::expired:
            return "expired";
    }
    return "bogus";
}

std::optional<SignatureVerdict> check_rrset_signatures(const std::string& owner, uint16_t type,
                                                       const std::vector<Record>& answer,
                                                       const std::vector<Record>& dnskeys,
                                                       std::chrono::system_clock::time_point now) {
    LdnsOwnedList rrset(ldns_rr_list_new());
    std::vector<LdnsRrPtr> sigs;
    for (const auto& r : answer) {
        if (!same_dns_name(r.owner, owner)) continue;
        if (r.type == type) {
            if (auto rr = to_ldns(r)) ldns_rr_list_push_rr(rrset.get(), rr.release());
        } else if (r.type == kTypeRrsig) {
            auto rr = to_ldns(r);
            if (rr && ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr.get())) == type) {
                sigs.push_back(std::move(rr));
            }
        }
    }
    if (ldns_rr_list_rr_count(rrset.get()) == 0) return std::nullopt;
    SignatureVerdict v;
    if (sigs.empty()) {
        v.fault = SignatureFault::missing_rrsig;
        return v;
    }
    LdnsOwnedList keys(ldns_rr_list_new());
    for (const auto& k : dnskeys) {
        if (k.type != kTypeDnskey) continue;
        if (auto rr = to_ldns(k)) ldns_rr_list_push_rr(keys.get(), rr.release());
    }
    const time_t at = std::chrono::system_clock::to_time_t(now);
    for (const auto& sig : sigs) {
        const std::string key =
            std::to_string(ldns_rdf2native_int16(ldns_rr_rrsig_keytag(sig.get()))) + "/" +
            std::to_string(ldns_rdf2native_int8(ldns_rr_rrsig_algorithm(sig.get())));
        LdnsBorrowedList good(ldns_rr_list_new());
        const ldns_status st =
            ldns_verify_rrsig_keylist_time(rrset.get(), sig.get(), keys.get(), at, good.get());
        if (st == LDNS_STATUS_OK) {
            const auto exp = std::chrono::system_clock::from_time_t(
                static_cast<time_t>(ldns_rdf2native_int32(ldns_rr_rrsig_expiration(sig.get()))));
            if (!v.expires || exp > *v.expires) {
                v.expires = exp;
                v.key = key;
            }
            continue;
        }
        SignatureFault f = SignatureFault::bogus;
        if (st == LDNS_STATUS_CRYPTO_SIG_EXPIRED || st == LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED) {
            f = SignatureFault::expired;
        } else if (st == LDNS_STATUS_CRYPTO_NO_MATCHING_KEYTAG_DNSKEY ||
                   st == LDNS_STATUS_CRYPTO_NO_DNSKEY) {
            f = SignatureFault::unknown_key;
        }
        if (!v.fault || rank(f) > rank(*v.fault)) {
            v.fault = f;
            if (!v.expires) v.key = key;
            v.reason = ldns_get_errorstr_by_id(st);
        }
    }
    if (v.expires) {  // one verifying signature is enough
        v.fault.reset();
        v.reason.clear();
    }
    return v;
}

}  // namespace nswatch
