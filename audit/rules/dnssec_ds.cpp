// DNSSEC-DS (docs/AUDIT-CHECKS.md section F): the parent's DS set must lead to every provider's
// keys.
//
// IMPLEMENTATION NOTES
// - A DS matches a DNSKEY when ldns computes the same DS from the key (owner, key tag, algorithm,
//   digest type and digest: ldns_rr_compare_ds). Digest types ldns cannot compute never match,
//   and the evidence lists the DS set so that the reader sees them.
// - Matching is not enough: a validator takes the DS, finds the key in the DNSKEY RRset and then
//   checks the RRSIG over that RRset made with it. A provider that publishes the other signer's
//   DS-matched key but signs its DNSKEY RRset only with its own key (RFC 8901 model 2 with a DS
//   missing at the parent) fails validation all the same. So a server passes when an RRSIG over
//   its DNSKEY RRset by a DS-matched key verifies (ldns_verify_rrsig_time). The signature is
//   verified at the middle of its validity period: expiry is DNSSEC-SIG-LIFETIME's to report.
// - Judged per server, reported per provider: a resolver that picked any one failing server gets
//   SERVFAIL. Servers that do not answer DNSKEY authoritatively are SRV-*'s to report.
// - No DS at the parent for a signed zone is not a failure of this check (the zone is simply
//   insecure): it is noted as a skip. An unsigned zone without DS is not mentioned at all.
#include <algorithm>
#include <memory>
#include <set>
#include <sstream>

#include "audit/rules.hpp"
#include "audit/rules/support.hpp"
// Last: without <stdbool.h> ldns defines `bool` and `false` as macros, which break C++20 headers.
#include <ldns/ldns.h>

namespace nswatch {

using namespace audit_detail;

namespace {

struct RrFree {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrFree>;

/// An RR from its parts, read by ldns; null when the text does not parse.
RrPtr rr_from(const std::string& zone, const char* type, const std::string& rdata) {
    ldns_rr* rr = nullptr;
    const std::string text = zone + ". 3600 IN " + type + " " + rdata;
    if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) return {};
    return RrPtr(rr);
}

struct RrListFree {
    void operator()(ldns_rr_list* list) const { ldns_rr_list_deep_free(list); }
};
using RrListPtr = std::unique_ptr<ldns_rr_list, RrListFree>;

/// "62884/13": key tag and algorithm, as the evidence names keys.
std::string key_id(uint16_t tag, uint8_t algorithm) {
    return std::to_string(tag) + "/" + std::to_string(algorithm);
}

std::string key_id_of_dnskey(const ldns_rr* key) {
    return key_id(ldns_calc_keytag(key), ldns_rdf2native_int8(ldns_rr_rdf(key, 2)));
}

std::string key_id_of_rrsig(const ldns_rr* rrsig) {
    return key_id(ldns_rdf2native_int16(ldns_rr_rrsig_keytag(rrsig)),
                  ldns_rdf2native_int8(ldns_rr_rrsig_algorithm(rrsig)));
}

/// Verifies `rrsig` over `rrset` with `key` at the middle of the signature's validity period:
/// whether it has expired is DNSSEC-SIG-LIFETIME's to say, not this check's. ldns compares the
/// 32-bit times with serial arithmetic (RFC 4034 §3.1.5), in which the midpoint is inside.
ldns_status verify_ignoring_time(ldns_rr_list* rrset, ldns_rr* rrsig, ldns_rr* key) {
    const uint32_t inception = ldns_rdf2native_int32(ldns_rr_rrsig_inception(rrsig));
    const uint32_t expiration = ldns_rdf2native_int32(ldns_rr_rrsig_expiration(rrsig));
    const uint32_t middle = inception + (expiration - inception) / 2;
    return ldns_verify_rrsig_time(rrset, rrsig, key, static_cast<time_t>(middle));
}

struct Ds {
    RrPtr rr;
    std::string text;  ///< "62884 13 2" (key tag, algorithm, digest type)
};

/// What one server's DNSKEY answer says about the parent's DS set; empty when it is fine: a DS
/// matches one of its DNSKEYs and an RRSIG by that key over its DNSKEY RRset verifies.
std::string judge_server(const ServerEvidence& s, const std::string& zone,
                         const std::vector<Ds>& ds) {
    RrListPtr keys(ldns_rr_list_new());
    std::vector<RrPtr> rrsigs;
    for (const auto& r : s.dnskey->answer) {
        if (r.type == kTypeDnskey) {
            if (auto k = rr_from(zone, "DNSKEY", r.rdata))
                ldns_rr_list_push_rr(keys.get(), k.release());
        } else if (r.type == kTypeRrsig) {
            auto sig = rr_from(zone, "RRSIG", r.rdata);
            if (sig &&
                ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig.get())) == LDNS_RR_TYPE_DNSKEY)
                rrsigs.push_back(std::move(sig));
        }
    }
    std::set<std::string> all_keys, matched_keys, signers, failures;
    for (const auto& sig : rrsigs) signers.insert(key_id_of_rrsig(sig.get()));
    for (size_t i = 0; i < ldns_rr_list_rr_count(keys.get()); ++i) {
        ldns_rr* key = ldns_rr_list_rr(keys.get(), i);
        const std::string id = key_id_of_dnskey(key);
        all_keys.insert(id);
        const bool matched = std::any_of(
            ds.begin(), ds.end(), [&](const Ds& d) { return ldns_rr_compare_ds(d.rr.get(), key); });
        if (!matched) continue;
        matched_keys.insert(id);
        for (const auto& sig : rrsigs) {
            if (key_id_of_rrsig(sig.get()) != id) continue;
            const ldns_status st = verify_ignoring_time(keys.get(), sig.get(), key);
            if (st == LDNS_STATUS_OK) return {};
            failures.insert(id + " (" + ldns_get_errorstr_by_id(st) + ")");
        }
    }
    auto list = [](const std::set<std::string>& items) {
        return items.empty() ? std::string("none") : join({items.begin(), items.end()});
    };
    if (matched_keys.empty())
        return s.where() + ": none of its " + std::to_string(all_keys.size()) +
               " DNSKEY(s) (key tag/algorithm " + list(all_keys) + ") matches a DS at the parent";
    if (failures.empty())
        return s.where() + ": publishes DS-matched key " + list(matched_keys) +
               " but signs its DNSKEY RRset only with " + list(signers);
    return s.where() + ": the RRSIG over its DNSKEY RRset by DS-matched key " + list(failures) +
           " does not verify";
}

bool zone_is_signed(const AuditEvidence& e) {
    for (const auto& s : e.servers) {
        if (!answers_authoritatively(s.dnskey)) continue;
        for (const auto& r : s.dnskey->answer) {
            if (r.type == kTypeDnskey) return true;
        }
    }
    return false;
}

}  // namespace

std::vector<AuditFinding> audit_dnssec_ds(const AuditEvidence& e, std::vector<AuditSkip>& skipped) {
    const bool signed_zone = zone_is_signed(e);
    const std::string parent = e.parent_zone.empty() ? "the parent" : e.parent_zone;
    if (!e.parent_ds) {
        if (signed_zone)
            skipped.push_back({"DNSSEC-DS",
                               "the nameservers come from the config: the parent's DS set was not "
                               "asked"});
        return {};
    }
    if (!answers_authoritatively(e.parent_ds)) {
        if (signed_zone)
            skipped.push_back({"DNSSEC-DS", "the parent's server " + e.parent_server +
                                                " did not answer the DS query: " +
                                                describe_outcome(e.parent_ds)});
        return {};
    }
    std::vector<Ds> ds;
    std::vector<std::string> ds_text;
    for (const auto& r : e.parent_ds->answer) {
        if (r.type != kTypeDs) continue;
        std::istringstream in(r.rdata);
        std::string tag, alg, digest;
        in >> tag >> alg >> digest;
        ds_text.push_back(tag + " " + alg + " " + digest);
        if (auto rr = rr_from(e.zone, "DS", r.rdata)) ds.push_back({std::move(rr), ds_text.back()});
    }
    if (ds_text.empty()) {
        if (signed_zone)
            skipped.push_back({"DNSSEC-DS", "the zone is signed but " + parent +
                                                " has no DS for it: validators treat it as "
                                                "insecure"});
        return {};
    }
    std::vector<std::string> evidence{
        parent + " (" + e.parent_server +
        ") DS (key tag, algorithm, digest type): " + join(ds_text, "; ")};
    std::set<std::string> failing;
    for (const auto& s : e.servers) {
        if (!answers_authoritatively(s.dnskey)) continue;
        auto line = judge_server(s, e.zone, ds);
        if (line.empty()) continue;
        failing.insert(s.provider);
        evidence.push_back(std::move(line));
    }
    if (failing.empty()) return {};
    return {make_finding(
        "DNSSEC-DS", AuditSeverity::error,
        "The parent's DS set does not lead to a key that signs the DNSKEY RRset at provider(s) " +
            join({failing.begin(), failing.end()}) +
            ": validating resolvers that ask them get SERVFAIL.",
        evidence, "Zonemaster DNSSEC02; RFC 8901 §3.2; RFC 4035 §5.2",
        "Add a DS for every provider's key-signing key at the parent (or have every provider sign "
        "its DNSKEY RRset with the key the DS names).")};
}

}  // namespace nswatch
