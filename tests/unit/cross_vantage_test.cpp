// compare_vantages: lag at one vantage only is an anycast node, at every vantage the provider.
#include "monitor/cross_vantage.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

namespace {
Snapshot snap(const std::string& vantage, bool beta_lagging, bool beta_up = true) {
    Snapshot s;
    s.vantage = vantage;
    ZoneState z;
    z.zone = "shop.test";
    z.providers.push_back(ProviderState{InternedName("alpha"), 4, 4, true, false, 0, 0});
    z.providers.push_back(ProviderState{InternedName("beta"), 4, beta_up ? 4u : 0u, beta_up,
                                        beta_lagging, beta_lagging ? 120.0 : 0.0,
                                        beta_lagging ? 1u : 0u});
    s.zones.push_back(z);
    return s;
}
}  // namespace

TEST_CASE("cross-vantage: lag seen from one vantage only is named an anycast node") {
    auto f = compare_vantages({snap("fra", true), snap("nyc", false)});
    REQUIRE(f.size() == 1);
    CHECK(f[0].provider == "beta");
    CHECK(f[0].kind == "lagging");
    CHECK(f[0].vantages == std::vector<std::string>{"fra"});
    CHECK(f[0].fine_at == std::vector<std::string>{"nyc"});
    CHECK_THAT(f[0].text, Catch::Contains("anycast node"));
}

TEST_CASE("cross-vantage: lag seen from every vantage is the provider's") {
    auto f = compare_vantages({snap("fra", true), snap("nyc", true)});
    REQUIRE(f.size() == 1);
    CHECK_THAT(f[0].text, Catch::Contains("from every vantage"));
}

TEST_CASE("cross-vantage: down from one vantage, healthy elsewhere, nothing when all fine") {
    auto f = compare_vantages({snap("fra", false, false), snap("nyc", false)});
    REQUIRE(f.size() == 1);
    CHECK(f[0].kind == "down");
    CHECK_THAT(f[0].text, Catch::Contains("down only from fra"));
    CHECK(compare_vantages({snap("fra", false), snap("nyc", false)}).empty());
}
