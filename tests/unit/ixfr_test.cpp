// Tests for checks/ixfr: the three shapes of an IXFR reply (RFC 1995 §4), differences folded
// and applied to a cached copy, and replies that cannot fit the copy (the caller then uses AXFR).
#include "checks/ixfr.hpp"

#include <catch2/catch.hpp>

#include "checks/zone_diff.hpp"

using namespace nswatch;

namespace {

Record soa(uint32_t serial) {
    return {
        "shop.test.", 6, 3600,
        "ns1.shop.test. hostmaster.shop.test. " + std::to_string(serial) + " 3600 600 86400 300"};
}
Record a(const std::string& owner, const std::string& addr, uint32_t ttl = 300) {
    return {owner + ".shop.test.", 1, ttl, addr};
}
Record ns(const std::string& target) {
    return {"shop.test.", 2, 3600, target};
}

// The cached copy at serial 10, sorted as the diff keeps it.
std::vector<Record> copy_at_10() {
    std::vector<Record> c{soa(10), ns("ns1.shop.test."), a("www", "192.0.2.1"),
                          a("mail", "192.0.2.25"), a("old", "192.0.2.99")};
    sort_for_diff(c);
    return c;
}

void feed(IxfrReader& r, std::vector<Record> records) {
    for (auto& rec : records) r.add(std::move(rec));
    r.end_of_message();
}

}  // namespace

TEST_CASE("ixfr: a lone SOA at our serial means the copy is current", "[ixfr]") {
    IxfrReader r(10);
    feed(r, {soa(10)});
    CHECK(r.complete());
    CHECK(r.shape() == IxfrShape::up_to_date);
    CHECK(r.new_serial() == 10u);
    auto c = copy_at_10();
    apply_ixfr(c, r);
    CHECK(c == copy_at_10());
}

TEST_CASE("ixfr: a lone SOA at another serial is refused, not taken as current", "[ixfr]") {
    IxfrReader r(10);
    r.add(soa(12));
    CHECK_THROWS_WITH(r.end_of_message(), Catch::Contains("lone SOA with serial 12") &&
                                              Catch::Contains("cached copy is at 10"));
}

TEST_CASE("ixfr: two steps are folded and applied to the copy", "[ixfr]") {
    IxfrReader r(10);
    // 10 -> 11: www changes address, old goes; 11 -> 12: www's TTL changes, new appears.
    feed(r, {soa(12), soa(10), a("www", "192.0.2.1"), a("old", "192.0.2.99"), soa(11),
             a("www", "192.0.2.2"), soa(11), a("www", "192.0.2.2"), soa(12),
             a("www", "192.0.2.2", 60), a("new", "192.0.2.7"), soa(12)});
    REQUIRE(r.complete());
    CHECK(r.shape() == IxfrShape::incremental);
    CHECK(r.steps() == 2);
    CHECK(r.new_serial() == 12u);
    auto c = copy_at_10();
    apply_ixfr(c, r);
    std::vector<Record> want{soa(12), ns("ns1.shop.test."), a("www", "192.0.2.2", 60),
                             a("mail", "192.0.2.25"), a("new", "192.0.2.7")};
    sort_for_diff(want);
    CHECK(c == want);
}

TEST_CASE("ixfr: the reply may span several messages", "[ixfr]") {
    IxfrReader r(10);
    r.add(soa(11));
    r.add(soa(10));
    r.end_of_message();  // more than a lone SOA: not "current"
    CHECK_FALSE(r.complete());
    r.add(a("old", "192.0.2.99"));
    r.add(soa(11));
    r.end_of_message();
    CHECK_FALSE(r.complete());
    r.add(soa(11));
    r.end_of_message();
    CHECK(r.complete());
    auto c = copy_at_10();
    apply_ixfr(c, r);
    CHECK(c.size() == 4);
    CHECK(std::find(c.begin(), c.end(), a("old", "192.0.2.99")) == c.end());
}

TEST_CASE("ixfr: a whole zone in reply (AXFR-style) is read as the new copy", "[ixfr]") {
    IxfrReader r(10);
    feed(r, {soa(13), ns("ns1.shop.test."), a("www", "192.0.2.3"), soa(13)});
    REQUIRE(r.complete());
    CHECK(r.shape() == IxfrShape::full);
    CHECK(r.full_records() ==
          std::vector<Record>{soa(13), ns("ns1.shop.test."), a("www", "192.0.2.3")});
}

TEST_CASE("ixfr: differences that do not fit the copy are refused", "[ixfr]") {
    SECTION("the first step starts at another serial") {
        IxfrReader r(10);
        r.add(soa(12));
        CHECK_THROWS_WITH(r.add(soa(9)), Catch::Contains("start at serial 9") &&
                                             Catch::Contains("cached copy is at 10"));
    }
    SECTION("a step does not start where the last ended") {
        IxfrReader r(10);
        feed(r, {soa(12), soa(10), soa(11)});
        CHECK_THROWS_WITH(r.add(soa(7)),
                          Catch::Contains("starts at serial 7") && Catch::Contains("ended at 11"));
    }
    SECTION("a removed record the copy lacks") {
        IxfrReader r(10);
        feed(r, {soa(11), soa(10), a("ghost", "192.0.2.66"), soa(11), soa(11)});
        REQUIRE(r.complete());
        auto c = copy_at_10();
        CHECK_THROWS_WITH(apply_ixfr(c, r),
                          Catch::Contains("ghost.shop.test.") && Catch::Contains("does not hold"));
        CHECK(c == copy_at_10());  // untouched
    }
    SECTION("the same record removed twice") {
        IxfrReader r(10);
        r.add(soa(11));
        r.add(soa(10));
        r.add(a("old", "192.0.2.99"));
        CHECK_THROWS_WITH(r.add(a("old", "192.0.2.99")), Catch::Contains("twice"));
    }
    SECTION("not starting with the SOA") {
        IxfrReader r(10);
        CHECK_THROWS_WITH(r.add(a("www", "192.0.2.1")), Catch::Contains("not the zone's SOA"));
    }
    SECTION("records after the closing SOA") {
        IxfrReader r(10);
        feed(r, {soa(11), soa(10), soa(11), soa(11)});
        REQUIRE(r.complete());
        CHECK_THROWS_WITH(r.add(a("www", "192.0.2.1")), Catch::Contains("after the IXFR reply"));
    }
    SECTION("an unreadable SOA") {
        IxfrReader r(10);
        CHECK_THROWS_WITH(r.add(Record{"shop.test.", 6, 0, "garbage"}),
                          Catch::Contains("unreadable SOA"));
    }
}

TEST_CASE("ixfr: soa_serial reads the third field", "[ixfr]") {
    CHECK(soa_serial(soa(2026120401)) == 2026120401u);
    CHECK_FALSE(soa_serial(Record{"x.", 6, 0, "a. b."}).has_value());
}
