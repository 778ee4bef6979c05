// IP-to-ASN TXT data (audit/asn.cpp): the query name for an address, and Team Cymru-format
// answers, good and bad.
#include "audit/asn.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

TEST_CASE("asn: the query name is the address reversed under the zone", "[asn]") {
    CHECK(asn_query_name("127.62.1.2", "asn.test") == "2.1.62.127.asn.test");
    CHECK(asn_query_name("192.0.2.1", "origin.asn.cymru.com.") == "1.2.0.192.origin.asn.cymru.com");
    CHECK(asn_query_name("2001:db8::1", "asn.test") ==
          "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.asn.test");
    CHECK_FALSE(asn_query_name("ns1.example", "asn.test"));
    CHECK_FALSE(asn_query_name("", "asn.test"));
    CHECK_FALSE(asn_query_name("1.2.3.4.5", "asn.test"));
}

TEST_CASE("asn: a Team Cymru line", "[asn]") {
    auto a = parse_asn_line("64500 | 127.62.1.0/24 | ZZ | lab | 2026-12-04");
    CHECK(a.asns == std::vector<uint32_t>{64500});
    CHECK(a.prefix == "127.62.1.0/24");
    CHECK(a.error.empty());

    // A multi-origin prefix: several ASNs in the first field.
    a = parse_asn_line("64501 64500  64501|10.0.0.0/8");
    CHECK(a.asns == std::vector<uint32_t>{64500, 64501});
    CHECK(a.prefix == "10.0.0.0/8");

    // Only the first field is required; 32-bit ASNs (RFC 6793).
    a = parse_asn_line("4200000000");
    CHECK(a.asns == std::vector<uint32_t>{4200000000u});
    CHECK(a.prefix.empty());
}

TEST_CASE("asn: bad lines get a clear error", "[asn]") {
    for (const std::string bad : {"", "   ", " | 10.0.0.0/8", "AS64500 | 10.0.0.0/8", "64500x",
                                  "4294967296", "99999999999999999999", "0 | 0.0.0.0/0", "-1",
                                  "64500 | 10.0.0.0/8 | ZZ\n| junk", "64500,64501"}) {
        INFO("'" << bad << "'");
        const auto a = parse_asn_line(bad);
        CHECK(a.asns.empty());
        CHECK_FALSE(a.error.empty());
        CHECK(a.prefix.empty());
    }
    CHECK_THAT(parse_asn_line("AS64500 | x").error,
               Catch::Contains("'AS64500' is not an AS number"));
    CHECK_THAT(parse_asn_line("| x").error, Catch::Contains("has no AS number"));
    CHECK(parse_asn_line("64500\n| x").error == "TXT line has control characters");
}

TEST_CASE("asn: TXT rdata as ldns prints it, the most specific prefix wins", "[asn]") {
    auto a = asn_from_txt_rdata({"\"64500 | 127.62.1.0/24 | ZZ | lab | 2026-12-04\""});
    CHECK(a.asns == std::vector<uint32_t>{64500});
    CHECK(a.prefix == "127.62.1.0/24");

    // A line split over two character-strings is one line.
    a = asn_from_txt_rdata({"\"64500 | 127.62\" \".1.0/24 | ZZ\""});
    CHECK(a.asns == std::vector<uint32_t>{64500});
    CHECK(a.prefix == "127.62.1.0/24");

    a = asn_from_txt_rdata({"\"64496 | 127.0.0.0/8 | ZZ\"", "\"64500 | 127.62.1.0/24 | ZZ\""});
    CHECK(a.asns == std::vector<uint32_t>{64500});

    // Two lines for one prefix: both origins.
    a = asn_from_txt_rdata({"\"64501 | 127.62.1.0/24\"", "\"64500 | 127.62.1.0/24\""});
    CHECK(a.asns == std::vector<uint32_t>{64500, 64501});

    // A bad line next to a good one: the good one is used.
    a = asn_from_txt_rdata({"\"v=spf1 -all\"", "\"64500 | 127.62.1.0/24\""});
    CHECK(a.asns == std::vector<uint32_t>{64500});
    CHECK(a.error.empty());
}

TEST_CASE("asn: unusable answers get a clear error, never a crash", "[asn]") {
    auto a = asn_from_txt_rdata({});
    CHECK(a.asns.empty());
    CHECK(a.error == "no TXT record");

    a = asn_from_txt_rdata({"\"v=spf1 -all\""});
    CHECK(a.asns.empty());
    CHECK_THAT(a.error, Catch::Contains("'v=spf1' is not an AS number"));

    for (const std::string bad : {"\"64500\\", "\"\\999\"", "\""}) {
        INFO(bad);
        a = asn_from_txt_rdata({bad});
        CHECK(a.asns.empty());
        CHECK_THAT(a.error, Catch::Contains("does not parse"));
    }

    a = asn_from_txt_rdata({"\"\""});  // an empty string
    CHECK(a.asns.empty());
    CHECK_THAT(a.error, Catch::Contains("has no AS number"));
}
