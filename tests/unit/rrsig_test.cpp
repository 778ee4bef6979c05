// RRSIG expiration times read from presentation form.
#include "dns/rrsig.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using std::chrono::seconds;
using std::chrono::system_clock;

TEST_CASE("rrsig: the expiration field in both printed forms") {
    // 2026-12-31 00:00:00 UTC = 1798675200
    const auto dated =
        rrsig_expiration("SOA 13 2 3600 20261231000000 20261201000000 12345 shop.test. c2ln");
    REQUIRE(dated);
    CHECK(dated->time_since_epoch() == seconds(1798675200));
    const auto epoch =
        rrsig_expiration("SOA 13 2 3600 1798675200 1796083200 12345 shop.test. c2ln");
    REQUIRE(epoch);
    CHECK(*epoch == *dated);
}

TEST_CASE("rrsig: rdata without a readable expiration gives nothing") {
    CHECK_FALSE(rrsig_expiration(""));
    CHECK_FALSE(rrsig_expiration("SOA 13 2"));
    CHECK_FALSE(rrsig_expiration("SOA 13 2 3600 2026-12-31 x 1 shop.test. c2ln"));
    CHECK_FALSE(rrsig_expiration("SOA 13 2 3600 99999999999999999999 x 1 shop.test. c2ln"));
}

TEST_CASE("rrsig: the earliest expiration among an answer's RRSIGs, other types ignored") {
    const std::vector<Record> answer{
        {"shop.test.", 6, 3600, "ns1.shop.test. h.shop.test. 1 2 3 4 5"},
        {"shop.test.", 46, 3600, "SOA 13 2 3600 20270115000000 20261201000000 1 shop.test. a"},
        {"shop.test.", 46, 3600, "SOA 8 2 3600 20261231000000 20261201000000 2 shop.test. b"},
    };
    const auto soonest = earliest_rrsig_expiration(answer);
    REQUIRE(soonest);
    CHECK(soonest->time_since_epoch() == seconds(1798675200));
    CHECK_FALSE(earliest_rrsig_expiration({answer[0]}));
}
