// parse_reply's owner check (prober/response.cpp): an answer counts for the question only when
// every record is owned by the question name or by a name a CNAME chain (or a DNAME above it)
// leads to, and an SOA answer is the question name's own. Anything else is wrong_owner, with
// no SOA kept, so another zone's serial never reaches serial tracking.
// clang-format off
#include "prober/response.hpp"  // before ldns.h, whose bool/false macros break <optional>
// clang-format on

#include <ldns/ldns.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

using namespace nswatch;

namespace {

/// A NOERROR+AA reply with ID 7 to `qname`/`qtype` whose answer section holds `answer` (zone
/// file lines), in wire format.
std::vector<uint8_t> reply(const std::string& qname, ldns_rr_type qtype,
                           const std::vector<std::string>& answer) {
    ldns_pkt* pkt =
        ldns_pkt_query_new(ldns_dname_new_frm_str(qname.c_str()), qtype, LDNS_RR_CLASS_IN, 0);
    ldns_pkt_set_id(pkt, 7);
    ldns_pkt_set_qr(pkt, true);
    ldns_pkt_set_aa(pkt, true);
    for (const auto& text : answer) {
        ldns_rr* rr = nullptr;
        REQUIRE(ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) == LDNS_STATUS_OK);
        ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
    }
    uint8_t* wire = nullptr;
    size_t size = 0;
    REQUIRE(ldns_pkt2wire(&wire, pkt, &size) == LDNS_STATUS_OK);
    std::vector<uint8_t> out(wire, wire + size);
    std::free(wire);
    ldns_pkt_free(pkt);
    return out;
}

ProbeResult parse(const std::vector<uint8_t>& bytes, const std::string& qname, uint16_t qtype) {
    Query q;
    q.name = qname;
    q.type = qtype;
    ReplyExpectation expect;
    expect.query = &q;
    ProbeResult r;
    parse_reply(bytes, expect, r);
    return r;
}

const std::string kShopSoa =
    "shop.test. 3600 IN SOA ns1.shop.test. hostmaster.shop.test. 2026112201 7200 3600 1209600 300";
const std::string kOtherSoa =
    "other.test. 3600 IN SOA ns1.other.test. hostmaster.other.test. 2026112301 7200 3600 1209600 "
    "300";

}  // namespace

TEST_CASE("reply owner: the zone's own SOA is ok and gives its serial", "[response][owner]") {
    const ProbeResult r = parse(reply("shop.test.", LDNS_RR_TYPE_SOA, {kShopSoa}), "shop.test", 6);
    INFO(describe(r));
    CHECK(r.outcome == Outcome::ok);
    REQUIRE(r.soa.has_value());
    CHECK(r.soa->serial == 2026112201u);
}

TEST_CASE("reply owner: the question name in upper case is the same owner", "[response][owner]") {
    const ProbeResult r = parse(reply("shop.test.", LDNS_RR_TYPE_SOA, {kShopSoa}), "SHOP.Test", 6);
    INFO(describe(r));
    CHECK(r.outcome == Outcome::ok);
    CHECK(r.soa.has_value());
}

TEST_CASE("reply owner: another zone's SOA under our question is wrong_owner without a serial",
          "[response][owner]") {
    const ProbeResult r = parse(reply("shop.test.", LDNS_RR_TYPE_SOA, {kOtherSoa}), "shop.test", 6);
    INFO(describe(r));
    CHECK(to_string(r.outcome) == "wrong_owner");
    CHECK_FALSE(r.soa.has_value());
    CHECK(r.rcode == 0);
    CHECK(r.detail ==
          "SOA serial 2026112301 is owned by other.test., not the zone apex shop.test.");
    CHECK(r.answer.size() == 1);  // the evidence stays in the result
}

TEST_CASE("reply owner: an SOA reached through a CNAME at the apex is wrong_owner",
          "[response][owner]") {
    const ProbeResult r = parse(
        reply("shop.test.", LDNS_RR_TYPE_SOA, {"shop.test. 60 IN CNAME other.test.", kOtherSoa}),
        "shop.test", 6);
    INFO(describe(r));
    CHECK(r.outcome == Outcome::wrong_owner);
    CHECK_FALSE(r.soa.has_value());
}

TEST_CASE("reply owner: a record next to the right SOA that nothing leads to is wrong_owner",
          "[response][owner]") {
    const ProbeResult r =
        parse(reply("shop.test.", LDNS_RR_TYPE_SOA, {kShopSoa, "other.test. 60 IN A 192.0.2.9"}),
              "shop.test", 6);
    INFO(describe(r));
    CHECK(r.outcome == Outcome::wrong_owner);
    CHECK(r.detail == "answer record is owned by other.test., not the zone apex shop.test.");
}

TEST_CASE("reply owner: a watched name's CNAME chain, in any order, is ok", "[response][owner]") {
    // Out of order on purpose: the chain is followed whatever the order of the records.
    const ProbeResult r = parse(reply("www.shop.test.", LDNS_RR_TYPE_A,
                                      {"cdn.provider.example. 60 IN A 198.51.100.7",
                                       "edge.shop.test. 300 IN CNAME cdn.provider.example.",
                                       "www.shop.test. 300 IN CNAME edge.shop.test."}),
                                "www.shop.test", 1);
    INFO(describe(r));
    CHECK(r.outcome == Outcome::ok);
    CHECK(r.answer.size() == 3);
}

TEST_CASE("reply owner: a watched name answered with another name's records is wrong_owner",
          "[response][owner]") {
    const ProbeResult r =
        parse(reply("www.shop.test.", LDNS_RR_TYPE_A, {"api.shop.test. 300 IN A 192.0.2.1"}),
              "www.shop.test", 1);
    INFO(describe(r));
    CHECK(r.outcome == Outcome::wrong_owner);
    CHECK(r.detail == "answer record is owned by api.shop.test., not the question www.shop.test.");
}

TEST_CASE("reply owner: a DNAME above the question and its synthesized CNAME are ok",
          "[response][owner]") {
    const ProbeResult r = parse(reply("www.shop.test.", LDNS_RR_TYPE_A,
                                      {"shop.test. 300 IN DNAME shop.example.",
                                       "www.shop.test. 300 IN CNAME www.shop.example.",
                                       "www.shop.example. 300 IN A 192.0.2.5"}),
                                "www.shop.test", 1);
    INFO(describe(r));
    CHECK(r.outcome == Outcome::ok);
}

TEST_CASE("reply owner: a DNAME that is not above the question is wrong_owner",
          "[response][owner]") {
    const ProbeResult r = parse(
        reply("www.shop.test.", LDNS_RR_TYPE_A,
              {"www.shop.test. 300 IN A 192.0.2.5", "other.test. 300 IN DNAME shop.example."}),
        "www.shop.test", 1);
    INFO(describe(r));
    CHECK(r.outcome == Outcome::wrong_owner);
}

TEST_CASE("reply owner: a CNAME loop ends, the chain is bounded", "[response][owner]") {
    std::vector<std::string> loop = {"www.shop.test. 60 IN CNAME a.shop.test.",
                                     "a.shop.test. 60 IN CNAME www.shop.test."};
    for (int i = 0; i < 40; ++i) {
        loop.push_back("c" + std::to_string(i) + ".shop.test. 60 IN CNAME c" +
                       std::to_string(i + 1) + ".shop.test.");
    }
    loop.push_back("www.shop.test. 60 IN CNAME c0.shop.test.");
    const ProbeResult r = parse(reply("www.shop.test.", LDNS_RR_TYPE_A, loop), "www.shop.test", 1);
    INFO(describe(r));
    // The loop itself is followed; the 40-long chain beyond 16 names is not, and its tail is
    // then nobody's.
    CHECK(r.outcome == Outcome::wrong_owner);
}

TEST_CASE("reply owner: an empty answer (NODATA, referral) is not judged by owner",
          "[response][owner]") {
    const ProbeResult r = parse(reply("shop.test.", LDNS_RR_TYPE_AAAA, {}), "shop.test", 28);
    CHECK(r.outcome == Outcome::ok);
}

TEST_CASE("reply owner: names matched without ldns and through it agree", "[response][owner]") {
    const std::string www = "www.shop.test. 300 IN A 192.0.2.80";
    // The question as asked (with or without the trailing dot, any case): ok.
    for (const std::string asked : {"www.shop.test", "www.shop.test.", "WWW.Shop.TEST"}) {
        const ProbeResult r = parse(reply("www.shop.test.", LDNS_RR_TYPE_A, {www}), asked, 1);
        CHECK(r.outcome == Outcome::ok);
        REQUIRE(r.answer.size() == 1);
        CHECK(r.answer[0].rdata == "192.0.2.80");
    }
    // A name that is a prefix or an extension of the one asked, or empty labels: not the question.
    for (const std::string asked :
         {"www.shop", "www.shop.test.x", "ww.shop.test", "www..shop.test", "www.shop.test.."}) {
        const ProbeResult r = parse(reply("www.shop.test.", LDNS_RR_TYPE_A, {www}), asked, 1);
        CHECK(r.outcome == Outcome::question_mismatch);
    }
    // A label holding a dot (written escaped) is not two labels.
    const ProbeResult dotted =
        parse(reply("www\\.shop.test.", LDNS_RR_TYPE_A, {"www\\.shop.test. 300 IN A 192.0.2.81"}),
              "www.shop.test", 1);
    CHECK(dotted.outcome == Outcome::question_mismatch);
    const ProbeResult escaped =
        parse(reply("www\\.shop.test.", LDNS_RR_TYPE_A, {"www\\.shop.test. 300 IN A 192.0.2.81"}),
              "www\\.shop.test", 1);
    CHECK(escaped.outcome == Outcome::ok);
    // The root.
    const ProbeResult root =
        parse(reply(".", LDNS_RR_TYPE_NS, {". 300 IN NS a.root-servers.test."}), "", 2);
    CHECK(root.outcome == Outcome::ok);
    // An answer owned by another name: wrong_owner, the question named as asked.
    const ProbeResult other =
        parse(reply("www.shop.test.", LDNS_RR_TYPE_A, {"mail.shop.test. 300 IN A 192.0.2.82"}),
              "WWW.shop.test", 1);
    CHECK(other.outcome == Outcome::wrong_owner);
    CHECK(other.detail.find("not the question WWW.shop.test.") != std::string::npos);
}
