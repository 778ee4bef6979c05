#include "dns/denial_proof.hpp"

#include <algorithm>
#include <set>

#include "dns/ldns_record.hpp"
#include "dns/rr_types.hpp"
#include "dns/signature_check.hpp"

namespace nswatch {

namespace {

// The records of one kind (NSEC or NSEC3) and the RRSIGs over them, as ldns lists.
struct Denial {
    LdnsOwnedList records{ldns_rr_list_new()};
    LdnsOwnedList rrsigs{ldns_rr_list_new()};
    size_t unparsed = 0;
};

Denial collect(const std::vector<Record>& authority, uint16_t kind) {
    Denial d;
    for (const auto& r : authority) {
        const bool sig = r.type == kTypeRrsig;
        if (r.type != kind && !sig) continue;
        auto rr = to_ldns(r);
        if (!rr) {
            if (!sig) ++d.unparsed;
            continue;
        }
        if (sig && ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr.get())) != kind) continue;
        ldns_rr_list_push_rr(sig ? d.rrsigs.get() : d.records.get(), rr.release());
    }
    return d;
}

// An NSEC whose owner is the name asked: it says the name exists, and lists its types.
const ldns_rr* nsec_at(const ldns_rr_list* nsecs, const ldns_rdf* name) {
    for (size_t i = 0; i < ldns_rr_list_rr_count(nsecs); ++i) {
        const ldns_rr* n = ldns_rr_list_rr(nsecs, i);
        if (ldns_dname_compare(ldns_rr_owner(n), name) == 0) return n;
    }
    return nullptr;
}

std::optional<std::string> nsec_gap(Denial& d, ldns_rr* question, bool nxdomain) {
    const ldns_rdf* name = ldns_rr_owner(question);
    const ldns_rr* at = nsec_at(d.records.get(), name);
    if (nxdomain && at != nullptr) return "an NSEC at the name says it exists";
    const ldns_status st = ldns_dnssec_verify_denial(question, d.records.get(), d.rrsigs.get());
    if (st == LDNS_STATUS_OK) return std::nullopt;
    if (st == LDNS_STATUS_DNSSEC_NSEC_WILDCARD_NOT_COVERED) {
        return "no NSEC rules out the wildcard that could answer";
    }
    if (at != nullptr) {
        return "the NSEC at the name lists " + rr_type_name(ldns_rr_get_type(question));
    }
    return nxdomain ? "no NSEC covers the name" : "no NSEC at the name";
}

struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using RdfPtr = std::unique_ptr<ldns_rdf, RdfFree>;

// RFC 5155 §8.5: an NSEC3 whose owner is the name's hash, listing neither the type nor CNAME.
// Done here rather than by ldns_dnssec_verify_denial_nsec3, which leaks the hashed name on this
// path (ldns 1.8.3). The name is hashed with the first record's parameters, as ldns does.
bool nsec3_nodata_proven(const ldns_rr_list* nsec3s, const ldns_rdf* name, ldns_rr_type type) {
    const ldns_rr* first = ldns_rr_list_rr(nsec3s, 0);
    RdfPtr zone(ldns_dname_left_chop(ldns_rr_owner(first)));
    RdfPtr hashed(ldns_nsec3_hash_name_frm_nsec3(first, name));
    if (!zone || !hashed || ldns_dname_cat(hashed.get(), zone.get()) != LDNS_STATUS_OK) {
        return false;
    }
    for (size_t i = 0; i < ldns_rr_list_rr_count(nsec3s); ++i) {
        const ldns_rr* n = ldns_rr_list_rr(nsec3s, i);
        if (ldns_dname_compare(hashed.get(), ldns_rr_owner(n)) != 0) continue;
        const ldns_rdf* bitmap = ldns_nsec3_bitmap(n);
        return bitmap != nullptr && !ldns_nsec_bitmap_covers_type(bitmap, type) &&
               !ldns_nsec_bitmap_covers_type(bitmap, LDNS_RR_TYPE_CNAME);
    }
    return false;
}

std::optional<std::string> nsec3_gap(Denial& d, ldns_rr* question, bool nxdomain) {
    // ldns hashes with the first record's parameters; judge only what it can hash sensibly.
    for (size_t i = 0; i < ldns_rr_list_rr_count(d.records.get()); ++i) {
        const ldns_rr* n = ldns_rr_list_rr(d.records.get(), i);
        if (ldns_rr_rd_count(n) < 6) return "an NSEC3 record without its fields";
        if (ldns_nsec3_algorithm(n) != LDNS_SHA1) return std::nullopt;
        if (ldns_nsec3_iterations(n) > kMaxNsec3Iterations) return std::nullopt;
    }
    const ldns_rr_type qtype = ldns_rr_get_type(question);
    if (!nxdomain) {
        if (nsec3_nodata_proven(d.records.get(), ldns_rr_owner(question), qtype)) {
            return std::nullopt;
        }
        return "no NSEC3 matches the name without " + rr_type_name(qtype);
    }
    const ldns_status st = ldns_dnssec_verify_denial_nsec3(
        question, d.records.get(), d.rrsigs.get(), LDNS_RCODE_NXDOMAIN, qtype, false);
    if (st == LDNS_STATUS_OK) return std::nullopt;
    if (st == LDNS_STATUS_DNSSEC_NSEC_WILDCARD_NOT_COVERED) {
        return "no NSEC3 rules out the wildcard at the closest encloser";
    }
    return "no NSEC3 closest-encloser proof for the name";
}

}  // namespace

std::optional<std::string> denial_gap(const std::string& qname, uint16_t qtype, bool nxdomain,
                                      const std::vector<Record>& authority) {
    Denial nsec3 = collect(authority, kTypeNsec3);
    const bool use_nsec3 = ldns_rr_list_rr_count(nsec3.records.get()) > 0 || nsec3.unparsed > 0;
    Denial d = use_nsec3 ? std::move(nsec3) : collect(authority, kTypeNsec);
    if (ldns_rr_list_rr_count(d.records.get()) == 0) {
        return d.unparsed > 0 ? "NSEC or NSEC3 records that do not parse" : "without NSEC or NSEC3";
    }
    ldns_rdf* owner = nullptr;
    if (ldns_str2rdf_dname(&owner, qname.c_str()) != LDNS_STATUS_OK) return std::nullopt;
    LdnsRrPtr question(ldns_rr_new());
    ldns_rr_set_owner(question.get(), owner);
    ldns_rr_set_type(question.get(), static_cast<ldns_rr_type>(qtype));
    ldns_dname2canonical(owner);
    return use_nsec3 ? nsec3_gap(d, question.get(), nxdomain)
                     : nsec_gap(d, question.get(), nxdomain);
}

namespace {

std::string signature_problem(const std::string& rrset, const SignatureVerdict& v) {
    switch (*v.fault) {
        case SignatureFault::missing_rrsig:
            return "no RRSIG over " + rrset;
        case SignatureFault::unknown_key:
            return "RRSIG over " + rrset + " by key " + v.key +
                   ", not in the server's DNSKEY set: " + v.reason;
        case SignatureFault::expired:
            return "RRSIG over " + rrset + " is outside its validity period: " + v.reason;
        case SignatureFault::bogus:
            break;
    }
    return "RRSIG over " + rrset + " does not verify: " + v.reason;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

}  // namespace

std::optional<std::string> denial_signature_gap(const std::vector<Record>& authority,
                                                const std::vector<Record>& dnskeys,
                                                std::chrono::system_clock::time_point now) {
    if (std::none_of(dnskeys.begin(), dnskeys.end(),
                     [](const Record& k) { return k.type == kTypeDnskey; })) {
        return std::nullopt;
    }
    const bool any_nsec3 = std::any_of(authority.begin(), authority.end(),
                                       [](const Record& r) { return r.type == kTypeNsec3; });
    const uint16_t kind = any_nsec3 ? kTypeNsec3 : kTypeNsec;
    std::set<std::string> owners;  // one RRset per owner; sorted, so the first named is stable
    for (const auto& r : authority) {
        if (r.type == kind) owners.insert(lower(r.owner));
    }
    std::optional<std::string> first;
    size_t more = 0;
    for (const auto& owner : owners) {
        const auto v = check_rrset_signatures(owner, kind, authority, dnskeys, now);
        if (!v || !v->fault) continue;
        if (first) {
            ++more;
            continue;
        }
        first = signature_problem(rr_type_name(kind) + " " + owner, *v);
    }
    if (first && more > 0) *first += " (and " + std::to_string(more) + " more)";
    return first;
}

}  // namespace nswatch
