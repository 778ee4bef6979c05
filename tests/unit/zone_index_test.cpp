// config/zone_index: the constant-time look-up finds what Config::find_zone's scan finds.
#include "config/zone_index.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

TEST_CASE("ZoneIndex finds the zones find_zone finds, by any spelling of the name", "[config]") {
    Config config;
    for (const char* name : {"shop.test", "blog.test", "example.org"}) {
        ZoneConfig z;
        z.name = name;
        config.zones.push_back(z);
    }
    const ZoneIndex index(config);
    for (const char* asked : {"shop.test", "SHOP.test.", "blog.test", "example.org.",
                              "missing.test", "", "bad name", "shop..test"}) {
        INFO(asked);
        CHECK(index.find(asked) == config.find_zone(asked));
    }
    CHECK(index.find("Example.ORG") == &config.zones[2]);
    CHECK(index.find("missing.test") == nullptr);
}

TEST_CASE("ZoneIndex, like find_zone, answers the first of two zones of the same name",
          "[config]") {
    Config config;
    config.zones.resize(2);
    config.zones[0].name = config.zones[1].name = "shop.test";
    const ZoneIndex index(config);
    CHECK(index.find("shop.test") == &config.zones[0]);
}
