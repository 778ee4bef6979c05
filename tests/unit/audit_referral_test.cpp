// DEL-REFERRAL-SIZE's measurement (audit/referral.cpp): the worst-case referral built with ldns.
// Expected sizes are worked out by hand, octet by octet, so a change in compression shows.
#include <catch2/catch.hpp>

#include "audit/referral.hpp"

using namespace nswatch;

namespace {

/// Wire length of a presentation-form name with trailing dot: each label plus its length octet,
/// plus the root label.
size_t wire_length(const std::string& name) {
    return name.size() + 1;
}

}  // namespace

TEST_CASE("audit referral: the query name is 255 octets on the wire and ends in the zone",
          "[audit][referral]") {
    for (const std::string zone : {"ex.test", "a.b.c.d.example.org", "x.test"}) {
        INFO(zone);
        const auto name = longest_name_under(zone);
        CHECK(wire_length(name) == 255);
        CHECK(name.ends_with("." + zone + "."));
        // Every label fits in 63 octets and none is empty.
        size_t start = 0;
        for (size_t dot; (dot = name.find('.', start)) != std::string::npos; start = dot + 1) {
            CHECK(dot > start);
            CHECK(dot - start <= 63);
        }
    }
}

TEST_CASE("audit referral: out-of-zone NS names need no glue", "[audit][referral]") {
    const auto r = estimate_referral("ex.test", {"ns1.a.test", "ns1.b.test"}, {});
    CHECK(r.ns == 2);
    CHECK(r.glue == 0);
    // header 12; question 255 + type + class = 259; each NS: owner pointer 2, type/class/TTL/
    // rdlength 10, rdata "ns1" 4 + "a" 2 + pointer to "test." 2 = 8 → 20.
    CHECK(r.octets == 12 + 259 + 20 + 20);
}

TEST_CASE("audit referral: in-zone NS names get one A and one AAAA where an address is known",
          "[audit][referral]") {
    const std::map<std::string, std::vector<std::string>> glue = {
        {"ns1.ex.test", {"192.0.2.1", "192.0.2.2"}},  // IPv4 only: one A
        {"ns3.ex.test", {"192.0.2.3", "2001:db8::3"}}};
    // ns2.ex.test has no known address: both families are assumed (the worst case).
    const auto r =
        estimate_referral("ex.test", {"ns1.ex.test", "ns2.ex.test", "ns3.ex.test"}, glue);
    CHECK(r.ns == 3);
    CHECK(r.glue == 5);
    // NS: 2 + 10 + "nsN" 4 + pointer 2 = 18 each. A: pointer 2 + 10 + 4 = 16; AAAA: 2 + 10 + 16.
    CHECK(r.octets == 12 + 259 + 3 * 18 + 16 + (16 + 28) + (16 + 28));
}

TEST_CASE("audit referral: thirteen long in-zone NS names overflow 512 octets",
          "[audit][referral]") {
    std::vector<std::string> ns;
    std::map<std::string, std::vector<std::string>> glue;
    for (int i = 0; i < 13; ++i) {
        const auto name = "nameserver" + std::to_string(10 + i) + ".ex.test";
        ns.push_back(name);
        glue[name] = {"192.0.2." + std::to_string(i + 1), "2001:db8::" + std::to_string(i + 1)};
    }
    const auto r = estimate_referral("ex.test", ns, glue);
    CHECK(r.ns == 13);
    CHECK(r.glue == 26);
    // NS: 2 + 10 + "nameserverNN" 13 + pointer 2 = 27; glue 16 + 28 per name.
    CHECK(r.octets == 12 + 259 + 13 * 27 + 13 * (16 + 28));
    CHECK(r.octets > 512);
}
