// Tests for dns/ixfr: the three shapes of an IXFR reply (RFC 1995 §4), differences folded
// and applied to a cached copy, and replies that cannot fit the copy (the caller then uses AXFR).
#include "dns/ixfr.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "zonediff/zone_diff.hpp"

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

TEST_CASE("ixfr: random steps applied equal the zone rebuilt from scratch", "[ixfr]") {
    // Each trial: a random zone at serial 100, then 1-6 random steps (removals of present
    // records, additions of new ones and TTL changes); the IXFR reply built from the steps and
    // applied to the copy must give exactly the final zone.
    std::mt19937 rng(20261204);
    for (int trial = 0; trial < 200; ++trial) {
        std::set<Record> zone;
        const int size = 1 + static_cast<int>(rng() % 40);
        for (int i = 0; i < size; ++i) {
            zone.insert(
                a("h" + std::to_string(rng() % 30), "192.0.2." + std::to_string(rng() % 8), 300));
        }
        uint32_t serial = 100;
        zone.insert(soa(serial));
        std::vector<Record> copy(zone.begin(), zone.end());
        sort_for_diff(copy);

        std::vector<Record> stream;
        const int steps = 1 + static_cast<int>(rng() % 6);
        std::vector<std::pair<std::vector<Record>, std::vector<Record>>> diffs;
        for (int s = 0; s < steps; ++s) {
            std::vector<Record> removed{soa(serial)}, added{soa(serial + 1)};
            zone.erase(soa(serial));
            ++serial;
            std::vector<Record> present(zone.begin(), zone.end());
            for (const auto& r : present) {
                const auto roll = rng() % 10;
                if (roll == 0) {
                    removed.push_back(r);
                    zone.erase(r);
                } else if (roll == 1) {  // TTL change: removed and added back
                    removed.push_back(r);
                    zone.erase(r);
                    Record t = r;
                    t.ttl = 60;
                    added.push_back(t);
                }
            }
            for (int k = 0; k < 3; ++k) {
                Record r = a("n" + std::to_string(rng() % 50), "198.51.100." + std::to_string(k));
                bool key_present = false;
                for (const auto& z : zone) {
                    key_present |= z.owner == r.owner && z.type == r.type && z.rdata == r.rdata;
                }
                for (const auto& x : added) {
                    key_present |= x.owner == r.owner && x.type == r.type && x.rdata == r.rdata;
                }
                if (!key_present) added.push_back(r);
            }
            for (const auto& r : added) zone.insert(r);
            diffs.emplace_back(removed, added);
        }
        stream.push_back(soa(serial));
        for (auto& [removed, added] : diffs) {
            stream.insert(stream.end(), removed.begin(), removed.end());
            stream.insert(stream.end(), added.begin(), added.end());
        }
        stream.push_back(soa(serial));

        IxfrReader r(100);
        feed(r, stream);
        REQUIRE(r.complete());
        REQUIRE(r.steps() == static_cast<size_t>(steps));
        apply_ixfr(copy, r);
        std::vector<Record> want(zone.begin(), zone.end());
        sort_for_diff(want);
        REQUIRE(copy == want);
    }
}

TEST_CASE("ixfr: one change to a 100,000-record copy", "[ixfr]") {
    std::vector<Record> copy{soa(10)};
    for (int i = 0; i < 100000; ++i) copy.push_back(a("h" + std::to_string(i), "192.0.2.1"));
    sort_for_diff(copy);
    IxfrReader r(10);
    feed(r, {soa(11), soa(10), a("h500", "192.0.2.1"), soa(11), a("h500", "192.0.2.2"), soa(11)});
    apply_ixfr(copy, r);
    CHECK(copy.size() == 100001);
    CHECK(std::is_sorted(copy.begin(), copy.end()));
    CHECK(std::find(copy.begin(), copy.end(), a("h500", "192.0.2.2")) != copy.end());
    CHECK(std::find(copy.begin(), copy.end(), a("h500", "192.0.2.1")) == copy.end());
    CHECK(std::find(copy.begin(), copy.end(), soa(11)) != copy.end());
}

TEST_CASE("ixfr: a reply longer than the record limit is refused while it is read", "[ixfr]") {
    IxfrReader r(10);
    r.set_record_limit(4);
    r.add(soa(12));
    r.add(soa(10));
    r.add(a("old", "192.0.2.99"));
    r.add(soa(12));
    CHECK_THROWS_WITH(r.add(a("new", "192.0.2.7")), "the IXFR reply has more than 4 records");

    IxfrReader unlimited(10);
    CHECK_NOTHROW(feed(unlimited, {soa(12), soa(10), a("old", "192.0.2.99"), soa(12),
                                   a("new", "192.0.2.7"), soa(12)}));
    CHECK(unlimited.complete());
}
