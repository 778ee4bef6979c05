// denial_gap: NSEC and NSEC3 proofs of negative answers, right and broken. The zone is
// `example.` with names example., a.example. and c.example.; the NSEC3 owner hashes are SHA-1,
// no salt, 0 iterations, as `nsec3hash - 1 0 NAME` (BIND) prints them:
//   example.   3MSEV9USMD4BR9S97V51R2TDVMR9IQO1     a.example.  6CD522290VMA0NR8LQU1IVTCOFJ94RGA
//   *.example. 99JAHPQEE6F2BU0N7I5CPSM6PBS6TP05     c.example.  ATUTAKMS2NNIOD8SIE19KMFB3UQD60KQ
//   b.example. B39F52K2414AIT0PCPFJOSGB4BS25JPE
// so the chain is apex -> a -> c -> apex, b.example. falls in c's span and *.example. in a's.
// denial_signature_gap: the same records signed here by ldns (tests/unit/test_signer.hpp).
#include "dns/denial_proof.hpp"

#include <catch2/catch.hpp>

#include "dns/rr_types.hpp"
#include "test_signer.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

Record rec(const std::string& owner, uint16_t type, const std::string& rdata) {
    return Record{owner, type, 300, rdata};
}

// An RRSIG over the NSEC or NSEC3 at owner with `labels` labels: ldns reads its label count to
// rule out wildcard expansion for NODATA; the signature bytes are not checked here.
Record sig(const std::string& owner, const std::string& covered, int labels) {
    return rec(owner, kTypeRrsig,
               covered + " 13 " + std::to_string(labels) +
                   " 300 20270101000000 20260101000000 12345 example. "
                   "dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgaXQgcGFyc2VzIGFzIG9uZQ==");
}

const Record kSoa = rec("example.", kTypeSoa, "ns.example. host.example. 1 3600 600 86400 300");

Record nsec(const std::string& owner, const std::string& next, const std::string& types) {
    return rec(owner, kTypeNsec, next + " " + types);
}

const Record kNsecApex = nsec("example.", "a.example.", "NS SOA RRSIG NSEC DNSKEY");
const Record kNsecA = nsec("a.example.", "c.example.", "A RRSIG NSEC");
const Record kNsecC = nsec("c.example.", "example.", "A TXT RRSIG NSEC");

Record nsec3(const std::string& hash, const std::string& next, const std::string& types) {
    return rec(hash + ".example.", kTypeNsec3, "1 0 0 - " + next + " " + types);
}

const Record k3Apex = nsec3("3msev9usmd4br9s97v51r2tdvmr9iqo1", "6CD522290VMA0NR8LQU1IVTCOFJ94RGA",
                            "NS SOA RRSIG DNSKEY NSEC3PARAM");
const Record k3A =
    nsec3("6cd522290vma0nr8lqu1ivtcofj94rga", "ATUTAKMS2NNIOD8SIE19KMFB3UQD60KQ", "A RRSIG");
const Record k3C =
    nsec3("atutakms2nniod8sie19kmfb3uqd60kq", "3MSEV9USMD4BR9S97V51R2TDVMR9IQO1", "A TXT RRSIG");

}  // namespace

TEST_CASE("denial_gap: an answer without NSEC or NSEC3 proves nothing") {
    CHECK(denial_gap("b.example.", kTypeA, true, {kSoa}) == "without NSEC or NSEC3");
}

TEST_CASE("denial_gap: NSEC NXDOMAIN proofs") {
    // a.example. NSEC c.example. covers b; example. NSEC a.example. covers *.example.
    CHECK_FALSE(denial_gap("b.example.", kTypeA, true, {kSoa, kNsecA, kNsecApex}).has_value());
    CHECK_FALSE(denial_gap("B.Example.", kTypeA, true, {kSoa, kNsecA, kNsecApex}).has_value());
    SECTION("the name's span is missing") {
        CHECK(denial_gap("b.example.", kTypeA, true, {kSoa, kNsecApex, kNsecC}) ==
              "no NSEC covers the name");
    }
    SECTION("the wildcard's span is missing") {
        CHECK(denial_gap("b.example.", kTypeA, true, {kSoa, kNsecA}) ==
              "no NSEC rules out the wildcard that could answer");
    }
    SECTION("an NSEC at the name itself says the name exists") {
        CHECK(denial_gap("a.example.", kTypeMx, true, {kSoa, kNsecA, kNsecApex}) ==
              "an NSEC at the name says it exists");
    }
}

TEST_CASE("denial_gap: NSEC NODATA proofs") {
    CHECK_FALSE(
        denial_gap("a.example.", kTypeMx, false, {kSoa, kNsecA, sig("a.example.", "NSEC", 2)}));
    SECTION("the NSEC lists the type asked") {
        CHECK(
            denial_gap("a.example.", kTypeA, false, {kSoa, kNsecA, sig("a.example.", "NSEC", 2)}) ==
            "the NSEC at the name lists A");
    }
    SECTION("only a covering NSEC, none at the name") {
        CHECK(denial_gap("c.example.", kTypeMx, false, {kSoa, kNsecA, kNsecApex}) ==
              "no NSEC at the name");
    }
}

TEST_CASE("denial_gap: NSEC3 NXDOMAIN proofs") {
    // closest encloser example. (matched), next closer b.example. (covered by c's span),
    // *.example. (covered by a's span)
    CHECK_FALSE(denial_gap("b.example.", kTypeA, true, {kSoa, k3Apex, k3C, k3A}).has_value());
    SECTION("no NSEC3 covers the wildcard") {
        CHECK(denial_gap("b.example.", kTypeA, true, {kSoa, k3Apex, k3C}) ==
              "no NSEC3 rules out the wildcard at the closest encloser");
    }
    SECTION("no NSEC3 matches the closest encloser") {
        CHECK(denial_gap("b.example.", kTypeA, true, {kSoa, k3C, k3A}) ==
              "no NSEC3 closest-encloser proof for the name");
    }
}

TEST_CASE("denial_gap: NSEC3 NODATA proofs") {
    CHECK_FALSE(denial_gap("a.example.", kTypeMx, false, {kSoa, k3A}).has_value());
    CHECK(denial_gap("a.example.", kTypeA, false, {kSoa, k3A}) ==
          "no NSEC3 matches the name without A");
    CHECK(denial_gap("c.example.", kTypeMx, false, {kSoa, k3A}) ==
          "no NSEC3 matches the name without MX");
}

TEST_CASE("denial_gap: hostile or unusual NSEC3 records") {
    SECTION("a hash algorithm ldns does not know is left unjudged") {
        Record odd = k3A;
        odd.rdata = "7 0 0 - ATUTAKMS2NNIOD8SIE19KMFB3UQD60KQ A RRSIG";
        CHECK_FALSE(denial_gap("b.example.", kTypeA, true, {kSoa, odd}).has_value());
    }
    SECTION("iterations far above RFC 9276's advice are not hashed") {
        Record costly = k3A;
        costly.rdata = "1 0 65535 - ATUTAKMS2NNIOD8SIE19KMFB3UQD60KQ A RRSIG";
        CHECK_FALSE(denial_gap("b.example.", kTypeA, true, {kSoa, costly}).has_value());
    }
    SECTION("records that do not parse are named") {
        Record broken = k3A;
        broken.rdata = "1 0 zero - not-base32 A";
        CHECK(denial_gap("b.example.", kTypeA, true, {kSoa, broken}) ==
              "NSEC or NSEC3 records that do not parse");
    }
}

namespace {

const auto t0 = std::chrono::system_clock::time_point{} + 1800000000s;

// One signature byte changed: the base64 character in the middle of the signature field.
Record with_changed_signature(Record sig) {
    const size_t at = sig.rdata.rfind(' ') + 10;
    sig.rdata[at] = sig.rdata[at] == 'A' ? 'B' : 'A';
    return sig;
}

}  // namespace

TEST_CASE("denial_signature_gap: NSEC records signed by a key of the server's set pass") {
    const test::TestSigner zsk("example.", 256, t0 - 24h, t0 + 240h);
    const std::vector<Record> answer{kSoa,      zsk.sign({kSoa}),     kNsecA, zsk.sign({kNsecA}),
                                     kNsecApex, zsk.sign({kNsecApex})};
    CHECK_FALSE(denial_gap("b.example.", kTypeA, true, answer).has_value());
    CHECK_FALSE(denial_signature_gap(answer, {zsk.dnskey()}, t0).has_value());
    const std::vector<Record> nsec3{k3Apex, zsk.sign({k3Apex}), k3C, zsk.sign({k3C}),
                                    k3A,    zsk.sign({k3A})};
    CHECK_FALSE(denial_signature_gap(nsec3, {zsk.dnskey()}, t0).has_value());
}

TEST_CASE("denial_signature_gap: a missing or broken RRSIG over a denial record is named") {
    const test::TestSigner zsk("example.", 256, t0 - 24h, t0 + 240h);
    const test::TestSigner stranger("example.", 256, t0 - 24h, t0 + 240h);
    const Record sig_a = zsk.sign({kNsecA});
    const Record sig_apex = zsk.sign({kNsecApex});
    SECTION("no RRSIG over one NSEC") {
        CHECK(denial_signature_gap({kSoa, kNsecA, sig_a, kNsecApex}, {zsk.dnskey()}, t0) ==
              "no RRSIG over NSEC example.");
    }
    SECTION("a changed signature byte") {
        const std::vector<Record> answer{kNsecA, with_changed_signature(sig_a), kNsecApex,
                                         sig_apex};
        CHECK(denial_signature_gap(answer, {zsk.dnskey()}, t0) ==
              "RRSIG over NSEC a.example. does not verify: " +
                  std::string(ldns_get_errorstr_by_id(LDNS_STATUS_CRYPTO_BOGUS)));
    }
    SECTION("signed by a key the server does not serve") {
        const auto gap = denial_signature_gap({kNsecA, sig_a}, {stranger.dnskey()}, t0);
        REQUIRE(gap);
        CHECK_THAT(*gap, Catch::StartsWith("RRSIG over NSEC a.example. by key " + zsk.key_id() +
                                           ", not in the server's DNSKEY set: "));
    }
    SECTION("outside the validity period") {
        const auto gap = denial_signature_gap({kNsecA, sig_a}, {zsk.dnskey()}, t0 + 241h);
        REQUIRE(gap);
        CHECK_THAT(
            *gap, Catch::StartsWith("RRSIG over NSEC a.example. is outside its validity period: "));
    }
    SECTION("NSEC3 records: the first by owner is named, the others counted") {
        const std::vector<Record> answer{k3Apex, k3C, zsk.sign({k3C}), k3A};
        CHECK(denial_signature_gap(answer, {zsk.dnskey()}, t0) ==
              "no RRSIG over NSEC3 3msev9usmd4br9s97v51r2tdvmr9iqo1.example. (and 1 more)");
    }
    SECTION("an RRSIG over another record does not sign the NSEC") {
        CHECK(denial_signature_gap({kSoa, zsk.sign({kSoa}), kNsecA}, {zsk.dnskey()}, t0) ==
              "no RRSIG over NSEC a.example.");
    }
}

TEST_CASE("denial_signature_gap: a server serving no DNSKEY is not judged for signatures") {
    CHECK_FALSE(denial_signature_gap({kSoa, kNsecA, kNsecApex}, {}, t0).has_value());
    CHECK_FALSE(denial_signature_gap({kSoa, kNsecA, kNsecApex}, {kSoa}, t0).has_value());
}
