// DNSSEC-DS (AUDIT-CHECKS.md section F): the parent's DS set must lead to every provider's keys.
//
// IMPLEMENTATION NOTES
// - A DS matches a DNSKEY when ldns computes the same DS from the key (owner, key tag, algorithm,
//   digest type and digest: ldns_rr_compare_ds). Digest types ldns cannot compute never match,
//   and the evidence lists the DS set so that the reader sees them.
// - Matching is not enough: a validator takes the DS, finds the key in the DNSKEY RRset and then
//   checks the RRSIG over that RRset made with it. A provider that publishes the other signer's
//   DS-matched key but signs its DNSKEY RRset only with its own key (RFC 8901 model 2 with a DS
//   missing at the parent) fails validation all the same. So a server passes when a DS-matched key
//   has an RRSIG over the DNSKEY RRset (same key tag and algorithm). The signature itself is not
//   verified here (its expiry is DNSSEC-SIG-LIFETIME's).
// - Judged per server, reported per provider: a resolver that picked any one failing server gets
//   SERVFAIL. Servers that do not answer DNSKEY authoritatively are SRV-*'s to report.
// - No DS at the parent for a signed zone is not a failure of this check (the zone is simply
//   insecure): it is noted as a skip. An unsigned zone without DS is not mentioned at all.
#include <memory>
#include <set>
#include <sstream>

#include "checks/audit_rules.hpp"
#include "checks/audit_support.hpp"
// Last: without <stdbool.h> ldns defines `bool` and `false` as macros, which break C++20 headers.
#include <ldns/ldns.h>

namespace nswatch {

using namespace audit_detail;

namespace {

constexpr uint16_t kDs = 43, kRrsig = 46, kDnskey = 48;

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

/// "62884/13" for the key tag and algorithm of an RRSIG over the DNSKEY RRset (fields: type
/// covered, algorithm, labels, original TTL, expiration, inception, key tag, ...); empty otherwise.
std::string dnskey_signer(const std::string& rrsig_rdata) {
    std::istringstream in(rrsig_rdata);
    std::vector<std::string> f;
    for (std::string x; f.size() < 7 && in >> x;) f.push_back(x);
    if (f.size() < 7 || f[0] != "DNSKEY") return {};
    return f[6] + "/" + f[1];
}

struct Ds {
    RrPtr rr;
    std::string text;  ///< "62884 13 2" (key tag, algorithm, digest type)
};

/// What one server's DNSKEY answer says about the parent's DS set; empty when it is fine.
std::string judge_server(const ServerEvidence& s, const std::string& zone,
                         const std::vector<Ds>& ds) {
    std::set<std::string> signers;
    std::vector<RrPtr> keys;
    for (const auto& r : s.dnskey->answer) {
        if (r.type == kRrsig && !dnskey_signer(r.rdata).empty())
            signers.insert(dnskey_signer(r.rdata));
        if (r.type != kDnskey) continue;
        if (auto k = rr_from(zone, "DNSKEY", r.rdata)) keys.push_back(std::move(k));
    }
    std::set<std::string> all_tags, matched_tags;
    bool signs = false;
    for (const auto& k : keys) {
        const std::string tag = std::to_string(ldns_calc_keytag(k.get())) + "/" +
                                std::to_string(ldns_rdf2native_int8(ldns_rr_rdf(k.get(), 2)));
        all_tags.insert(tag);
        for (const auto& d : ds) {
            if (!ldns_rr_compare_ds(d.rr.get(), k.get())) continue;
            matched_tags.insert(tag);
            signs = signs || signers.count(tag) > 0;
        }
    }
    auto list = [](const std::set<std::string>& s) {
        return s.empty() ? std::string("none") : join({s.begin(), s.end()});
    };
    if (matched_tags.empty())
        return s.where() + ": none of its " + std::to_string(keys.size()) +
               " DNSKEY(s) (key tag/algorithm " + list(all_tags) + ") matches a DS at the parent";
    if (!signs)
        return s.where() + ": publishes DS-matched key " + list(matched_tags) +
               " but signs its DNSKEY RRset only with " + list(signers);
    return {};
}

bool zone_is_signed(const AuditEvidence& e) {
    for (const auto& s : e.servers) {
        if (!answers_authoritatively(s.dnskey)) continue;
        for (const auto& r : s.dnskey->answer) {
            if (r.type == kDnskey) return true;
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
        if (r.type != kDs) continue;
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
