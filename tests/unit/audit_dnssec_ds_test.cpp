// DNSSEC-DS on hand-built evidence: the parent's DS set against each provider's DNSKEY answer.
// The keys, their DS records and the RRSIGs over the DNSKEY RRset {A, B} were made by BIND
// (dnssec-keygen, dnssec-dsfromkey, dnssec-signzone -s 20261201000000 -e 20361201000000), so the
// digests and signatures ldns checks come from another implementation.
#include <catch2/catch.hpp>

#include "audit/rules.hpp"

using namespace nswatch;

namespace {

const std::string kZone = "ex.test";

// Key A: tag 62884, key B: tag 20528, both ECDSAP256SHA256 (13) KSKs of ex.test.
const std::string kKeyA =
    "257 3 13 Ojiy5vz0vu8xQDvx3fTiLYARA9MTtekvxg9QnkaaTBDAMq+yy/okTnT6 "
    "kwTAYwC6FqWO8AoNRYLR7aKgOaMkew==";
const std::string kKeyB =
    "257 3 13 k5LWXPJ4tARBOvq23O0fWLy/2hhE680pPkBucC5w7hhXhyTQm2Z2o3fh "
    "krF+W1Fcn+4O7qPYxfp7B+upmB8RKQ==";
const std::string kDsA256 =
    "62884 13 2 6150FA01E8A4AAD0CD5172C7FF048B865B1290452ECFD4F84032F60D3295E9D7";
const std::string kDsA1 = "62884 13 1 C185F66B943AB81EB73646DCBCD3B347C7DD859D";
const std::string kDsB256 =
    "20528 13 2 86E7049C068871F744FA96206022CD6AFF0EFE69A71F82055F98AC0DE068A8D8";

/// The RRSIG over the DNSKEY RRset {A, B} by key A (62884) or key B (20528).
Record rrsig_by(int tag) {
    const std::string sig = tag == 62884
                                ? "oUBumQAfiJocAJEAPs+/9z2jI9ILRPsL1K7jTzRDG/WRgWcQNA185zJs"
                                  "6nL6ijYMwr/QQcPnskj37jAuw6WeYw=="
                                : "fqWw1qLux3dFbDUuAM6yw5Bn1Ijbj/IXdk++60DifP0scOddg28J+8Fe"
                                  "6S6d6l7V5yby9EYOj8CAwrvqmze0Mw==";
    return Record{kZone + ".", 46, 3600,
                  "DNSKEY 13 2 3600 20361201000000 20261201000000 " + std::to_string(tag) + " " +
                      kZone + ". " + sig};
}

ProbeResult authoritative(uint16_t type, std::vector<Record> answer) {
    ProbeResult r;
    r.query.name = kZone;
    r.query.type = type;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.aa = true;
    r.answer = std::move(answer);
    return r;
}

ProbeResult dnskey_answer(const std::vector<std::string>& keys, std::vector<int> signers) {
    std::vector<Record> rs;
    for (const auto& k : keys) rs.push_back(Record{kZone + ".", 48, 3600, k});
    for (int tag : signers) rs.push_back(rrsig_by(tag));
    return authoritative(48, rs);
}

ServerEvidence server(const std::string& ns, const std::string& address,
                      const std::string& provider, ProbeResult dnskey) {
    ServerEvidence s;
    s.nameserver = ns;
    s.address = address;
    s.provider = provider;
    s.dnskey = std::move(dnskey);
    return s;
}

/// Two providers, each with two servers: a.test signs with key A, b.test with key B; both
/// publish A and B (RFC 8901 model 2). The parent's DS set is `ds`.
AuditEvidence multi_signer(const std::vector<std::string>& ds) {
    AuditEvidence e;
    e.zone = kZone;
    e.parent_zone = "test";
    e.parent_server = "192.0.2.53";
    for (const auto& [ns, address, provider, signer] :
         std::vector<std::tuple<std::string, std::string, std::string, int>>{
             {"ns1.a.test", "10.1.0.1", "a.test", 62884},
             {"ns2.a.test", "10.1.0.2", "a.test", 62884},
             {"ns1.b.test", "10.2.0.1", "b.test", 20528},
             {"ns2.b.test", "10.2.0.2", "b.test", 20528}}) {
        e.servers.push_back(server(ns, address, provider, dnskey_answer({kKeyA, kKeyB}, {signer})));
    }
    std::vector<Record> rs;
    for (const auto& d : ds) rs.push_back(Record{kZone + ".", 43, 86400, d});
    e.parent_ds = authoritative(43, rs);
    return e;
}

struct Judged {
    std::vector<AuditFinding> findings;
    std::vector<AuditSkip> skipped;
};

Judged judge(const AuditEvidence& e) {
    Judged j;
    j.findings = audit_dnssec_ds(e, j.skipped);
    return j;
}

bool mentions(const AuditFinding& f, const std::string& text) {
    for (const auto& line : f.evidence) {
        if (line.find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("DNSSEC-DS: a DS for every signer's key passes", "[audit][dnssec-ds]") {
    const auto j = judge(multi_signer({kDsA256, kDsB256}));
    CHECK(j.findings.empty());
    CHECK(j.skipped.empty());
}

TEST_CASE("DNSSEC-DS: a DS for one signer only fails the other provider", "[audit][dnssec-ds]") {
    const auto j = judge(multi_signer({kDsA256}));
    REQUIRE(j.findings.size() == 1);
    const auto& f = j.findings[0];
    CHECK(f.id == "DNSSEC-DS");
    CHECK(f.severity == AuditSeverity::error);
    CHECK_THAT(f.summary, Catch::Contains("provider(s) b.test:"));
    CHECK_THAT(f.reference, Catch::Contains("DNSSEC02"));
    CHECK_FALSE(f.advice.empty());
    CHECK(mentions(f, "test (192.0.2.53) DS (key tag, algorithm, digest type): 62884 13 2"));
    // b.test publishes key A, which the DS names, but signs its DNSKEY RRset with B only.
    CHECK(mentions(f,
                   "ns1.b.test (10.2.0.1): publishes DS-matched key 62884/13 but signs its "
                   "DNSKEY RRset only with 20528/13"));
    CHECK(mentions(f, "ns2.b.test (10.2.0.2)"));
    CHECK_FALSE(mentions(f, "ns1.a.test"));
    CHECK(f.evidence.size() == 3);
}

TEST_CASE("DNSSEC-DS: a provider that does not publish the DS's key", "[audit][dnssec-ds]") {
    auto e = multi_signer({kDsA256});
    for (auto& s : e.servers) {
        if (s.provider == "b.test") s.dnskey = dnskey_answer({kKeyB}, {20528});
    }
    const auto j = judge(e);
    REQUIRE(j.findings.size() == 1);
    CHECK(mentions(j.findings[0],
                   "ns1.b.test (10.2.0.1): none of its 1 DNSKEY(s) (key "
                   "tag/algorithm 20528/13) matches a DS at the parent"));
}

TEST_CASE("DNSSEC-DS: an RRSIG by the DS-matched key that does not verify", "[audit][dnssec-ds]") {
    auto e = multi_signer({kDsA256, kDsB256});
    // b.test's servers publish a third key: its DNSKEY RRset is not the one B signed.
    for (auto& s : e.servers) {
        if (s.provider == "b.test")
            s.dnskey->answer.push_back(
                Record{kZone + ".", 48, 3600, kKeyA.substr(0, 9) + "AAAA" + kKeyA.substr(13)});
    }
    auto j = judge(e);
    REQUIRE(j.findings.size() == 1);
    CHECK(mentions(j.findings[0],
                   "ns1.b.test (10.2.0.1): the RRSIG over its DNSKEY RRset by "
                   "DS-matched key 20528/13 (Bogus DNSSEC signature) does not verify"));
    CHECK_FALSE(mentions(j.findings[0], "ns1.a.test"));

    // A signature with one octet changed.
    e = multi_signer({kDsA256});
    auto& sig = e.servers[0].dnskey->answer.back().rdata;
    sig[sig.size() - 6] = sig[sig.size() - 6] == 'A' ? 'B' : 'A';
    j = judge(e);
    REQUIRE(j.findings.size() == 1);
    CHECK(mentions(j.findings[0],
                   "ns1.a.test (10.1.0.1): the RRSIG over its DNSKEY RRset by "
                   "DS-matched key 62884/13"));
    CHECK_FALSE(mentions(j.findings[0], "ns2.a.test"));
}

TEST_CASE("DNSSEC-DS: an expired signature is DNSSEC-SIG-LIFETIME's, not this check's",
          "[audit][dnssec-ds]") {
    // The signatures run 2026-12-01 to 2036-12-01; judged in 2040, DNSSEC-DS still passes.
    const auto r = audit_zone(multi_signer({kDsA256, kDsB256}), AuditThresholds{},
                              std::chrono::sys_days{std::chrono::year{2040} / 1 / 1});
    bool ds = false, lifetime = false;
    for (const auto& f : r.findings) {
        ds = ds || f.id == "DNSSEC-DS";
        lifetime = lifetime || f.id == "DNSSEC-SIG-LIFETIME";
    }
    CHECK_FALSE(ds);
    CHECK(lifetime);
}

TEST_CASE("DNSSEC-DS: SHA-1 digests are computed too, a wrong digest matches nothing",
          "[audit][dnssec-ds]") {
    auto e = multi_signer({kDsA1});
    CHECK(judge(e).findings.size() == 1);  // b.test signs with B, which has no DS
    e.parent_ds->answer.push_back(Record{kZone + ".", 43, 86400, kDsB256});
    CHECK(judge(e).findings.empty());
    e.parent_ds->answer.pop_back();

    // Right key tag and algorithm, one digest octet changed.
    std::string forged = kDsA256;
    forged.back() = forged.back() == '7' ? '8' : '7';
    e.parent_ds->answer = {Record{kZone + ".", 43, 86400, forged}};
    const auto j = judge(e);
    REQUIRE(j.findings.size() == 1);
    CHECK(j.findings[0].evidence.size() == 5);  // the DS set, then all four servers
    CHECK(mentions(j.findings[0], "ns1.a.test (10.1.0.1): none of its 2 DNSKEY(s)"));
}

TEST_CASE("DNSSEC-DS: a DS over an unsigned zone fails every provider", "[audit][dnssec-ds]") {
    auto e = multi_signer({kDsA256});
    for (auto& s : e.servers) s.dnskey = authoritative(48, {});  // NODATA
    const auto j = judge(e);
    REQUIRE(j.findings.size() == 1);
    CHECK_THAT(j.findings[0].summary, Catch::Contains("a.test, b.test"));
    CHECK(mentions(j.findings[0],
                   "ns1.a.test (10.1.0.1): none of its 0 DNSKEY(s) (key "
                   "tag/algorithm none)"));
}

TEST_CASE("DNSSEC-DS: no DS at the parent is a note for a signed zone, nothing for an unsigned one",
          "[audit][dnssec-ds]") {
    auto e = multi_signer({});
    auto j = judge(e);
    CHECK(j.findings.empty());
    REQUIRE(j.skipped.size() == 1);
    CHECK(j.skipped[0].id == "DNSSEC-DS");
    CHECK_THAT(j.skipped[0].reason, Catch::Contains("signed but test has no DS"));

    for (auto& s : e.servers) s.dnskey = authoritative(48, {});
    j = judge(e);
    CHECK(j.findings.empty());
    CHECK(j.skipped.empty());
}

TEST_CASE("DNSSEC-DS: a parent that does not answer, or no parent asked", "[audit][dnssec-ds]") {
    auto e = multi_signer({kDsA256});
    e.parent_ds->outcome = Outcome::timeout;
    e.parent_ds->rcode = -1;
    e.parent_ds->aa = false;
    auto j = judge(e);
    CHECK(j.findings.empty());
    REQUIRE(j.skipped.size() == 1);
    CHECK_THAT(j.skipped[0].reason,
               Catch::Contains("the parent's server 192.0.2.53 did not answer the DS query: "
                               "timeout"));

    e.parent_ds.reset();  // nameservers from the config
    j = judge(e);
    CHECK(j.findings.empty());
    REQUIRE(j.skipped.size() == 1);
    CHECK_THAT(j.skipped[0].reason, Catch::Contains("the parent's DS set was not asked"));
}

TEST_CASE("DNSSEC-DS: bad records are not matched and do not crash", "[audit][dnssec-ds]") {
    auto e = multi_signer({"not a ds record", "62884 13 2 ZZ"});
    e.servers[0].dnskey->answer.push_back(Record{kZone + ".", 48, 3600, "garbage"});
    e.servers[0].dnskey->answer.push_back(Record{kZone + ".", 46, 3600, "DNSKEY 13"});
    const auto j = judge(e);
    REQUIRE(j.findings.size() == 1);
    CHECK(mentions(j.findings[0], "not a ds; 62884 13 2"));
    CHECK(mentions(j.findings[0], "ns1.a.test (10.1.0.1): none of its 2 DNSKEY(s)"));
}

TEST_CASE("DNSSEC-DS: audit_zone reports it", "[audit][dnssec-ds]") {
    const auto r =
        audit_zone(multi_signer({kDsA256}), AuditThresholds{}, std::chrono::system_clock::now());
    bool seen = false;
    for (const auto& f : r.findings) seen = seen || f.id == "DNSSEC-DS";
    CHECK(seen);
    CHECK(r.status == PluginStatus::critical);
}
