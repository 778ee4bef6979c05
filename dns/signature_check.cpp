#include "dns/signature_check.hpp"

#include <ldns/ldns.h>
#include <ldns/sha2.h>

#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <unordered_map>

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

// The same RRset, signatures and keys come back every round (an apex SOA from each address of a
// provider, the NSEC records of a denial): each thread keeps the verdicts it reached, by a SHA-256
// digest of everything the verdict is made of, with the span of time over which it holds. A hit
// costs a digest instead of ldns parsing the records and OpenSSL setting up the key and verifying.
using Digest = std::array<uint8_t, LDNS_SHA256_DIGEST_LENGTH>;

struct DigestHash {
    size_t operator()(const Digest& d) const {
        size_t h = 0;
        std::memcpy(&h, d.data(), sizeof h);
        return h;
    }
};

struct Memo {
    std::optional<SignatureVerdict> verdict;
    /// The verdict holds for a `now` in [from, until): the times at which some RRSIG of the set
    /// starts or stops being within its validity period bound it.
    time_t from = std::numeric_limits<time_t>::min();
    time_t until = std::numeric_limits<time_t>::max();
};

/// Verdicts kept per thread; the memo is emptied when it reaches this many.
constexpr size_t kMemoMax = 100'000;

std::unordered_map<Digest, Memo, DigestHash>& memo() {
    thread_local std::unordered_map<Digest, Memo, DigestHash> m;
    return m;
}

void feed(ldns_sha256_CTX& c, std::string_view s) {
    const uint32_t n = static_cast<uint32_t>(s.size());  // length first: fields cannot run together
    ldns_sha256_update(&c, reinterpret_cast<const uint8_t*>(&n), sizeof n);
    ldns_sha256_update(&c, reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

void feed(ldns_sha256_CTX& c, const Record& r) {
    feed(c, r.owner);
    const uint32_t fixed[2] = {r.type, r.ttl};
    ldns_sha256_update(&c, reinterpret_cast<const uint8_t*>(fixed), sizeof fixed);
    feed(c, r.rdata);
}

/// Everything check_rrset_signatures reads except `now`.
Digest inputs_digest(const std::string& owner, uint16_t type, const std::vector<Record>& answer,
                     const std::vector<Record>& dnskeys) {
    ldns_sha256_CTX c;
    ldns_sha256_init(&c);
    feed(c, owner);
    const uint32_t t = type;
    ldns_sha256_update(&c, reinterpret_cast<const uint8_t*>(&t), sizeof t);
    for (const auto& r : answer) {
        if ((r.type == type || r.type == kTypeRrsig) && same_dns_name(r.owner, owner)) feed(c, r);
    }
    feed(c, "keys");
    for (const auto& k : dnskeys) {
        if (k.type == kTypeDnskey) feed(c, k);
    }
    Digest d{};
    ldns_sha256_final(d.data(), &c);
    return d;
}

/// Narrows [m.from, m.until) around `at` to where `sig`'s time check (ldns: not before its
/// inception, not after its expiration, in RFC 1982 arithmetic) comes out as it does at `at`.
void bound_by(const ldns_rr* sig, time_t at, Memo& m) {
    const auto near = [at](uint32_t t) {
        return at + static_cast<int32_t>(t - static_cast<uint32_t>(at));
    };
    const time_t inception = near(ldns_rdf2native_int32(ldns_rr_rrsig_inception(sig)));
    const time_t after_expiration = near(ldns_rdf2native_int32(ldns_rr_rrsig_expiration(sig))) + 1;
    for (const time_t edge : {inception, after_expiration}) {
        if (edge <= at) {
            m.from = std::max(m.from, edge);
        } else {
            m.until = std::min(m.until, edge);
        }
    }
}

std::optional<SignatureVerdict> verify(const std::string& owner, uint16_t type,
                                       const std::vector<Record>& answer,
                                       const std::vector<Record>& dnskeys, time_t at, Memo& m);

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
    const time_t at = std::chrono::system_clock::to_time_t(now);
    const Digest d = inputs_digest(owner, type, answer, dnskeys);
    auto& kept = memo();
    const auto hit = kept.find(d);
    if (hit != kept.end() && hit->second.from <= at && at < hit->second.until) {
        return hit->second.verdict;
    }
    Memo m;
    m.verdict = verify(owner, type, answer, dnskeys, at, m);
    if (kept.size() >= kMemoMax) kept.clear();
    kept.insert_or_assign(d, m);
    return m.verdict;
}

namespace {

std::optional<SignatureVerdict> verify(const std::string& owner, uint16_t type,
                                       const std::vector<Record>& answer,
                                       const std::vector<Record>& dnskeys, time_t at, Memo& m) {
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
    for (const auto& sig : sigs) {
        bound_by(sig.get(), at, m);
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

}  // namespace

}  // namespace nswatch
