// Tests for zonediff/zone_diff: RRset-level differences between two zone copies.
#include "zonediff/zone_diff.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

namespace {

constexpr uint16_t kA = 1, kSOA = 6, kMX = 15, kTXT = 16;

Record rr(std::string owner, uint16_t type, std::string rdata, uint32_t ttl = 3600) {
    return Record{std::move(owner), type, ttl, std::move(rdata)};
}

std::vector<Record> base() {
    return {rr("shop.test.", kSOA, "ns1. h. 5 1 1 1 1"),
            rr("shop.test.", kMX, "10 mail.shop.test."), rr("www.shop.test.", kA, "192.0.2.80"),
            rr("www.shop.test.", kA, "192.0.2.81"), rr("mail.shop.test.", kA, "192.0.2.25")};
}

}  // namespace

TEST_CASE("zone diff: identical copies, SOA serial aside, order irrelevant", "[zone_diff]") {
    auto a = base();
    auto b = base();
    b[0] = rr("shop.test.", kSOA, "ns1. h. 6 1 1 1 1");
    std::reverse(b.begin(), b.end());
    sort_for_diff(a);
    sort_for_diff(b);
    CHECK(diff_sorted(a, b).empty());
}

TEST_CASE("zone diff: names exactly the changed, added and removed RRsets", "[zone_diff]") {
    auto a = base();
    auto b = base();
    b[3] = rr("www.shop.test.", kA, "192.0.2.99");         // one record of a set changed
    b.push_back(rr("new.shop.test.", kTXT, "\"hello\""));  // added
    b.erase(b.begin() + 4);                                // mail A removed
    b[1].ttl = 60;                                         // MX TTL changed
    sort_for_diff(a);
    sort_for_diff(b);
    const auto d = diff_sorted(a, b);
    REQUIRE(d.size() == 4);
    CHECK(d[0].kind == RRsetDifference::Kind::removed);
    CHECK(d[0].owner == "mail.shop.test.");
    CHECK(d[1].kind == RRsetDifference::Kind::added);
    CHECK(d[1].owner == "new.shop.test.");
    CHECK(d[1].only_other == std::vector<Record>{rr("new.shop.test.", kTXT, "\"hello\"")});
    CHECK(d[2].kind == RRsetDifference::Kind::changed);
    CHECK(d[2].type == kMX);
    CHECK(d[2].only_reference.at(0).ttl == 3600);
    CHECK(d[2].only_other.at(0).ttl == 60);
    CHECK(d[3].owner == "www.shop.test.");
    CHECK(d[3].only_reference == std::vector<Record>{rr("www.shop.test.", kA, "192.0.2.81")});
    CHECK(d[3].only_other == std::vector<Record>{rr("www.shop.test.", kA, "192.0.2.99")});
}

TEST_CASE("zone diff: one empty side", "[zone_diff]") {
    auto a = base();
    sort_for_diff(a);
    const auto d = diff_sorted(a, {});
    CHECK(d.size() == 3);  // MX, www A, mail A (SOA aside)
    for (const auto& x : d) CHECK(x.kind == RRsetDifference::Kind::removed);
}

TEST_CASE("zone diff: 100,000 records in another order with one difference", "[zone_diff][large]") {
    std::vector<Record> a;
    a.reserve(100000);
    for (int i = 0; i < 100000; ++i) {
        a.push_back(rr("h" + std::to_string(i) + ".big.test.", kA,
                       "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) +
                           "." + std::to_string(i % 256)));
    }
    auto b = a;
    b[54321].rdata = "192.0.2.1";
    std::reverse(b.begin(), b.end());
    // How long this takes is bench/'s business (a timed check here fails on a loaded machine).
    sort_for_diff(a);
    sort_for_diff(b);
    const auto d = diff_sorted(a, b);
    REQUIRE(d.size() == 1);
    CHECK(d[0].owner == "h54321.big.test.");
    CHECK(d[0].only_other.at(0).rdata == "192.0.2.1");
}
