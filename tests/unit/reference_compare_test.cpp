// judge_reference_answer: answers compared with the reference by meaning, negative answers by
// rcode, SOA and (signed zones) NSEC/NSEC3; non-answers inconclusive.
#include "zonediff/reference_compare.hpp"

#include <catch2/catch.hpp>

#include "dns/rr_types.hpp"
#include "test_signer.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

ReferenceQuestion question(std::string name, uint16_t type, Expectation::Kind kind,
                           std::vector<std::string> rdata = {}, uint32_t ttl = 300) {
    ReferenceQuestion q;
    q.name = name;
    q.type = type;
    q.expected.kind = kind;
    q.expected.rrset = {name, type, ttl, std::move(rdata)};
    return q;
}

ProbeResult reply(int rcode, std::vector<Record> answer, std::vector<Record> authority = {}) {
    ProbeResult r;
    r.target.provider = "beta";
    r.target.address = "127.53.2.1";
    r.rcode = rcode;
    r.outcome = rcode == 0 ? Outcome::ok : rcode == 3 ? Outcome::nxdomain : Outcome::servfail;
    r.answer = std::move(answer);
    r.authority = std::move(authority);
    return r;
}

const Record kSoa{"shop.test.", kTypeSoa, 300, "ns1.shop.test. h.shop.test. 1 2 3 4 5"};
const std::string kApex = "shop.test.";

}  // namespace

TEST_CASE("same records by meaning: order, case, TXT split and TTL ignored", "[reference]") {
    auto q =
        question("www.shop.test.", kTypeA, Expectation::Kind::answer, {"192.0.2.80", "192.0.2.81"});
    auto got = reply(0, {{"WWW.shop.test.", kTypeA, 60, "192.0.2.81"},
                         {"www.shop.test.", kTypeA, 60, "192.0.2.80"},
                         {"www.shop.test.", kTypeRrsig, 60, "A 13 3 300 ..."}});
    auto v = judge_reference_answer(q, got, kApex, false, false);
    CHECK(v.conclusive);
    CHECK_FALSE(v.drift);

    auto txt = question("t.shop.test.", kTypeTxt, Expectation::Kind::answer, {"\"v=spf1 -all\""});
    auto split = reply(0, {{"t.shop.test.", kTypeTxt, 300, "\"v=spf1 \" \"-all\""}});
    CHECK_FALSE(judge_reference_answer(txt, split, kApex, false, false).drift);
}

TEST_CASE("differences named with both values", "[reference]") {
    auto q = question("www.shop.test.", kTypeA, Expectation::Kind::answer, {"192.0.2.80"});
    auto v = judge_reference_answer(q, reply(0, {{"www.shop.test.", kTypeA, 300, "192.0.2.81"}}),
                                    kApex, false, false);
    REQUIRE(v.drift);
    CHECK(v.drift->kind == DriftKind::differs);
    CHECK(v.drift->describe() ==
          "[beta] www.shop.test. A: reference 192.0.2.80, served 192.0.2.81");

    auto txt = question("t.shop.test.", kTypeTxt, Expectation::Kind::answer, {"\"v=spf1 -all\""});
    auto dropped = judge_reference_answer(
        txt, reply(0, {{"t.shop.test.", kTypeTxt, 300, "\"v=spf1 \""}}), kApex, false, false);
    REQUIRE(dropped.drift);
    CHECK(dropped.drift->describe() ==
          "[beta] t.shop.test. TXT: reference \"v=spf1 -all\", served \"v=spf1 \"");

    auto sf = judge_reference_answer(q, reply(2, {}), kApex, false, false);
    REQUIRE(sf.drift);
    CHECK(sf.drift->kind == DriftKind::servfail);
    CHECK(sf.drift->served == "SERVFAIL");

    auto gone = judge_reference_answer(q, reply(3, {}, {kSoa}), kApex, false, false);
    REQUIRE(gone.drift);
    CHECK(gone.drift->kind == DriftKind::missing);
    CHECK(gone.drift->served == "NXDOMAIN");
}

TEST_CASE("TTL compared only when asked", "[reference]") {
    auto q = question("www.shop.test.", kTypeA, Expectation::Kind::answer, {"192.0.2.80"}, 300);
    auto got = reply(0, {{"www.shop.test.", kTypeA, 60, "192.0.2.80"}});
    CHECK_FALSE(judge_reference_answer(q, got, kApex, false, false).drift);
    auto v = judge_reference_answer(q, got, kApex, false, true);
    REQUIRE(v.drift);
    CHECK(v.drift->describe() ==
          "[beta] www.shop.test. A: reference TTL 300 192.0.2.80, served TTL 60 192.0.2.80");
}

TEST_CASE("negative answers: rcode, SOA, denial of existence", "[reference]") {
    auto nx = question("nswatch-nx-1.shop.test.", kTypeA, Expectation::Kind::nxdomain);
    CHECK_FALSE(judge_reference_answer(nx, reply(3, {}, {kSoa}), kApex, false, false).drift);
    auto noerror = judge_reference_answer(nx, reply(0, {}, {kSoa}), kApex, false, false);
    REQUIRE(noerror.drift);
    CHECK(noerror.drift->kind == DriftKind::wrong_rcode);
    CHECK(noerror.drift->describe() ==
          "[beta] nswatch-nx-1.shop.test. A: reference NXDOMAIN, served NOERROR, no records "
          "(NODATA)");
    auto no_soa = judge_reference_answer(nx, reply(3, {}), kApex, false, false);
    REQUIRE(no_soa.drift);
    CHECK(no_soa.drift->kind == DriftKind::no_soa);
    auto unsigned_proof = judge_reference_answer(nx, reply(3, {}, {kSoa}), kApex, true, false);
    REQUIRE(unsigned_proof.drift);
    CHECK(unsigned_proof.drift->kind == DriftKind::no_denial);
    const Record nsec{"shop.test.", kTypeNsec, 300, "www.shop.test. A NS SOA RRSIG NSEC"};
    CHECK_FALSE(judge_reference_answer(nx, reply(3, {}, {kSoa, nsec}), kApex, true, false).drift);
    // An NSEC that is there but proves nothing about the name (dns/denial_proof judges it).
    const Record elsewhere{"www.shop.test.", kTypeNsec, 300, "zz.shop.test. A RRSIG NSEC"};
    auto unproven = judge_reference_answer(nx, reply(3, {}, {kSoa, elsewhere}), kApex, true, false);
    REQUIRE(unproven.drift);
    CHECK(unproven.drift->kind == DriftKind::no_denial);
    CHECK(unproven.drift->describe() ==
          "[beta] nswatch-nx-1.shop.test. A: reference NXDOMAIN, served NXDOMAIN, denial not "
          "proven: no NSEC covers the name");
    CHECK(unsigned_proof.drift->describe() ==
          "[beta] nswatch-nx-1.shop.test. A: reference NXDOMAIN, served NXDOMAIN without NSEC or "
          "NSEC3");

    auto nodata = question("www.shop.test.", kTypeMx, Expectation::Kind::nodata);
    CHECK_FALSE(judge_reference_answer(nodata, reply(0, {}, {kSoa}), kApex, false, false).drift);
    auto extra = judge_reference_answer(
        nodata, reply(0, {{"www.shop.test.", kTypeMx, 300, "10 mx.shop.test."}}, {}), kApex, false,
        false);
    REQUIRE(extra.drift);
    CHECK(extra.drift->kind == DriftKind::extra);
}

TEST_CASE("negative answers of a signed zone: the NSEC signatures verify with the server's keys",
          "[reference]") {
    const auto t0 = std::chrono::system_clock::time_point{} + 1800000000s;
    const test::TestSigner zsk("shop.test.", 256, t0 - 24h, t0 + 240h);
    const std::vector<Record> keys{zsk.dnskey()};
    auto nx = question("nswatch-nx-1.shop.test.", kTypeA, Expectation::Kind::nxdomain);
    const Record nsec{"shop.test.", kTypeNsec, 300, "www.shop.test. A NS SOA RRSIG NSEC DNSKEY"};
    const Record sig = zsk.sign({nsec});
    auto signed_reply = [&](std::vector<Record> authority) {
        ProbeResult r = reply(3, {}, std::move(authority));
        r.sent_wall = t0;
        return r;
    };
    CHECK_FALSE(
        judge_reference_answer(nx, signed_reply({kSoa, nsec, sig}), kApex, true, false, &keys)
            .drift);

    auto unsigned_nsec =
        judge_reference_answer(nx, signed_reply({kSoa, nsec}), kApex, true, false, &keys);
    REQUIRE(unsigned_nsec.drift);
    CHECK(unsigned_nsec.drift->kind == DriftKind::denial_signature);
    CHECK(to_string(DriftKind::denial_signature) == "denial_signature");
    CHECK(unsigned_nsec.drift->describe() ==
          "[beta] nswatch-nx-1.shop.test. A: reference NXDOMAIN, served NXDOMAIN, no RRSIG over "
          "NSEC shop.test.");

    Record bogus = sig;
    const size_t at = bogus.rdata.rfind(' ') + 10;
    bogus.rdata[at] = bogus.rdata[at] == 'A' ? 'B' : 'A';
    auto bad =
        judge_reference_answer(nx, signed_reply({kSoa, nsec, bogus}), kApex, true, false, &keys);
    REQUIRE(bad.drift);
    CHECK(bad.drift->kind == DriftKind::denial_signature);
    CHECK(bad.drift->served == "NXDOMAIN, RRSIG over NSEC shop.test. does not verify: " +
                                   std::string(ldns_get_errorstr_by_id(LDNS_STATUS_CRYPTO_BOGUS)));

    // Without the server's keys (none served, or not asked) only the coverage is judged.
    const std::vector<Record> none;
    CHECK_FALSE(
        judge_reference_answer(nx, signed_reply({kSoa, nsec}), kApex, true, false, &none).drift);
    CHECK_FALSE(judge_reference_answer(nx, signed_reply({kSoa, nsec}), kApex, true, false).drift);
    // An unsigned zone's answers are not judged for NSEC at all.
    CHECK_FALSE(judge_reference_answer(nx, signed_reply({kSoa}), kApex, false, false, &keys).drift);
}

TEST_CASE("timeouts and refusals keep the previous verdict", "[reference]") {
    auto q = question("www.shop.test.", kTypeA, Expectation::Kind::answer, {"192.0.2.80"});
    ProbeResult t;
    t.outcome = Outcome::timeout;
    CHECK_FALSE(judge_reference_answer(q, t, kApex, false, false).conclusive);
    t.outcome = Outcome::refused;
    t.rcode = 5;
    CHECK_FALSE(judge_reference_answer(q, t, kApex, false, false).conclusive);
}
