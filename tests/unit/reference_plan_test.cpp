// The reference slice planner: every RRset asked within `every`, addresses rotating, negative
// questions made up anew each round with the answer the reference implies.
#include "zonediff/reference_plan.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "dns/rr_types.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

ReferenceZone zone_of(size_t hosts) {
    std::vector<Record> records = {
        {"shop.test.", kTypeSoa, 300, "ns1.shop.test. h.shop.test. 1 7200 3600 1209600 300"},
        {"shop.test.", kTypeNs, 300, "ns1.shop.test."},
        {"*.wild.shop.test.", kTypeA, 300, "192.0.2.99"}};
    for (size_t i = 0; i < hosts; ++i) {
        records.push_back({"h" + std::to_string(i) + ".shop.test.", kTypeA, 300, "192.0.2.1"});
    }
    return ReferenceZone("shop.test", records);
}

}  // namespace

TEST_CASE("rrsets_per_round covers the reference within every", "[reference]") {
    CHECK(rrsets_per_round(1000, 1h, 60s) == 17);
    CHECK(rrsets_per_round(3, 1h, 60s) == 1);
    CHECK(rrsets_per_round(0, 1h, 60s) == 0);
    CHECK(rrsets_per_round(10, 30s, 60s) == 10);  // every shorter than a round: all at once
}

TEST_CASE("slices: every RRset within every, from any starting round", "[reference]") {
    const ReferenceZone z = zone_of(997);  // 1000 RRsets, a prime-ish count
    REQUIRE(z.rrset_count() == 1000);
    const auto interval = 60s;
    const auto every = 1h;
    const size_t per = rrsets_per_round(z.rrset_count(), every, interval);
    const uint64_t rounds_in_every = every / interval;
    for (uint64_t first : {0u, 7u, 59u, 1234u}) {
        std::set<std::pair<std::string, uint16_t>> asked;
        for (uint64_t r = first; r < first + rounds_in_every; ++r) {
            for (const auto& q : plan_reference_round(z, r, per, 0)) {
                CHECK_FALSE(q.negative);
                CHECK(q.expected.kind == Expectation::Kind::answer);
                asked.insert({q.name, q.type});
            }
        }
        CHECK(asked.size() == 1000);
    }
}

TEST_CASE("addresses rotate round by round", "[reference]") {
    std::set<size_t> seen;
    for (uint64_t r = 0; r < 3; ++r) seen.insert(address_for_round(r, 3));
    CHECK(seen == std::set<size_t>{0, 1, 2});
    CHECK(address_for_round(5, 1) == 0);
}

TEST_CASE("negative questions: made-up names and absent types, new each round", "[reference]") {
    const ReferenceZone z = zone_of(3);
    std::set<std::string> made_up;
    size_t nx = 0, nodata = 0, wildcard = 0;
    for (uint64_t r = 0; r < 50; ++r) {
        const auto qs = plan_reference_round(z, r, 1, 2);
        REQUIRE(qs.size() == 3);
        CHECK(plan_reference_round(z, r, 1, 2).back().name == qs.back().name);  // reproducible
        for (size_t i = 1; i < qs.size(); ++i) {
            const auto& q = qs[i];
            CHECK(q.negative);
            if (i == 1) {
                CHECK_THAT(q.name, Catch::StartsWith("nswatch-nx-"));
                made_up.insert(q.name);
                // Under "wild.shop.test." the wildcard answers; elsewhere the name does not exist.
                if (q.expected.from_wildcard) {
                    ++wildcard;
                    CHECK(q.expected.rrset.rdata == std::vector<std::string>{"192.0.2.99"});
                } else {
                    ++nx;
                    CHECK(q.expected.kind == Expectation::Kind::nxdomain);
                }
            } else {
                CHECK(z.types_at(q.name).count(q.type) == 0);
                if (q.expected.kind == Expectation::Kind::nodata) ++nodata;
            }
        }
    }
    CHECK(made_up.size() == 50);
    CHECK(nx > 0);
    CHECK(wildcard > 0);
    CHECK(nodata > 0);
}
