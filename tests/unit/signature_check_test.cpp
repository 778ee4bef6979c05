// check_rrset_signatures: an RRset validated with a DNSKEY set at a fixed `now`, with keys and
// signatures made by ldns here (tests/unit/test_signer.hpp).
#include "dns/signature_check.hpp"

#include <catch2/catch.hpp>

#include "test_signer.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

const auto t0 = std::chrono::system_clock::time_point{} + 1800000000s;
const Record soa{"shop.test.", kTypeSoa, 3600,
                 "ns1.alpha.test. hostmaster.shop.test. 2026120601 3600 900 604800 300"};

}  // namespace

TEST_CASE("signatures: an RRset signed by a key of the set validates, and says until when") {
    const test::TestSigner zsk("shop.test.", 256, t0 - 24h, t0 + 240h);
    const test::TestSigner other("shop.test.", 256, t0 - 24h, t0 + 100h);
    const Record sig = zsk.sign({soa});
    const auto v = check_rrset_signatures("shop.test.", kTypeSoa, {soa, sig},
                                          {zsk.dnskey(), other.dnskey()}, t0);
    REQUIRE(v);
    CHECK_FALSE(v->fault);
    CHECK(v->key == zsk.key_id());
    REQUIRE(v->expires);
    CHECK(*v->expires == t0 + 240h);
    // The DNSKEY set signed by one of its keys (the self-signature).
    const std::vector<Record> keys{zsk.dnskey(), other.dnskey()};
    std::vector<Record> answer = keys;
    answer.push_back(other.sign(keys));
    const auto self = check_rrset_signatures("shop.test.", kTypeDnskey, answer, keys, t0);
    REQUIRE(self);
    CHECK_FALSE(self->fault);
    CHECK(*self->expires == t0 + 100h);
}

TEST_CASE("signatures: missing, unknown key, bogus and expired are told apart") {
    const test::TestSigner zsk("shop.test.", 256, t0 - 24h, t0 + 240h);
    const test::TestSigner stranger("shop.test.", 256, t0 - 24h, t0 + 240h);
    const Record sig = zsk.sign({soa});

    const auto missing = check_rrset_signatures("shop.test.", kTypeSoa, {soa}, {zsk.dnskey()}, t0);
    REQUIRE(missing);
    CHECK(missing->fault == SignatureFault::missing_rrsig);
    CHECK(missing->key.empty());
    CHECK_FALSE(missing->expires);

    // Signed by the other signer's ZSK, which this DNSKEY set lacks (RFC 8901 §4).
    const auto unknown =
        check_rrset_signatures("shop.test.", kTypeSoa, {soa, sig}, {stranger.dnskey()}, t0);
    REQUIRE(unknown);
    CHECK(unknown->fault == SignatureFault::unknown_key);
    CHECK(unknown->key == zsk.key_id());

    // The data changed after signing.
    Record changed = soa;
    changed.rdata = "ns1.alpha.test. hostmaster.shop.test. 2026120602 3600 900 604800 300";
    const auto bogus =
        check_rrset_signatures("shop.test.", kTypeSoa, {changed, sig}, {zsk.dnskey()}, t0);
    REQUIRE(bogus);
    CHECK(bogus->fault == SignatureFault::bogus);
    CHECK(bogus->key == zsk.key_id());

    const auto expired =
        check_rrset_signatures("shop.test.", kTypeSoa, {soa, sig}, {zsk.dnskey()}, t0 + 241h);
    REQUIRE(expired);
    CHECK(expired->fault == SignatureFault::expired);
    const auto early =
        check_rrset_signatures("shop.test.", kTypeSoa, {soa, sig}, {zsk.dnskey()}, t0 - 25h);
    REQUIRE(early);
    CHECK(early->fault == SignatureFault::expired);  // not yet incepted: outside its period
}

TEST_CASE("signatures: one verifying RRSIG is enough, no RRset is nothing to judge") {
    const test::TestSigner a("shop.test.", 256, t0 - 24h, t0 + 240h);
    const test::TestSigner b("shop.test.", 256, t0 - 24h, t0 + 240h);
    // Both signers' RRSIGs, only a's key published: a resolver validates with a's.
    const auto v = check_rrset_signatures("shop.test.", kTypeSoa,
                                          {soa, a.sign({soa}), b.sign({soa})}, {a.dnskey()}, t0);
    REQUIRE(v);
    CHECK_FALSE(v->fault);
    CHECK(v->key == a.key_id());
    // An RRSIG covering another type, or another owner, is not this RRset's.
    const auto only_other = check_rrset_signatures("shop.test.", kTypeSoa,
                                                   {soa, a.sign({a.dnskey()})}, {a.dnskey()}, t0);
    REQUIRE(only_other);
    CHECK(only_other->fault == SignatureFault::missing_rrsig);
    CHECK_FALSE(check_rrset_signatures("www.shop.test.", kTypeA, {soa}, {a.dnskey()}, t0));
    CHECK(to_string(SignatureFault::unknown_key) == "unknown_key");
}

TEST_CASE("signatures: a verdict reached before is the same at every second of its span") {
    // The thread keeps its verdicts; one reached earlier must hold exactly where a fresh
    // verification would agree, to the second at both ends of the validity period.
    const test::TestSigner zsk("shop.test.", 256, t0 - 24h, t0 + 240h);
    const std::vector<Record> answer{soa, zsk.sign({soa})};
    const auto at = [&](std::chrono::system_clock::time_point now) {
        const auto v = check_rrset_signatures("shop.test.", kTypeSoa, answer, {zsk.dnskey()}, now);
        REQUIRE(v);
        return v->fault;
    };
    CHECK_FALSE(at(t0).has_value());
    CHECK_FALSE(at(t0 + 240h).has_value());  // the expiration second itself is within
    CHECK(at(t0 + 240h + 1s) == SignatureFault::expired);
    CHECK_FALSE(at(t0).has_value());
    CHECK(at(t0 - 24h - 1s) == SignatureFault::expired);  // a second before the inception
    CHECK_FALSE(at(t0 - 24h).has_value());
    CHECK(at(t0 + 240h + 1s) == SignatureFault::expired);
    // Other records, other keys: another verdict, not the one kept.
    Record changed = soa;
    changed.rdata = "ns1.alpha.test. hostmaster.shop.test. 2026120602 3600 900 604800 300";
    const auto bogus =
        check_rrset_signatures("shop.test.", kTypeSoa, {changed, answer[1]}, {zsk.dnskey()}, t0);
    REQUIRE(bogus);
    CHECK(bogus->fault == SignatureFault::bogus);
    const test::TestSigner stranger("shop.test.", 256, t0 - 24h, t0 + 240h);
    const auto unknown =
        check_rrset_signatures("shop.test.", kTypeSoa, answer, {stranger.dnskey()}, t0);
    REQUIRE(unknown);
    CHECK(unknown->fault == SignatureFault::unknown_key);
}
