// Tests for `zones_from: {catalog: ...}` in the loader: where the catalog is transferred from,
// the zone settings of its groups, and the mistakes a user can make, each named at its place.
#include <catch2/catch.hpp>
#include <string>

#include "config/config.hpp"

using namespace nswatch;

namespace {

std::string error_of(const std::string& yaml) {
    try {
        LoadOptions lo;
        lo.require_zones = true;
        load_config_string(yaml, "nswatch.yml", lo);
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL_CHECK("no ConfigError thrown");
    return "";
}

const std::string kKeys = "keys:\n  - {name: cat-key, secret: 'bnN3YXRjaC1sYWIta2V5'}\n";

}  // namespace

TEST_CASE("zones_from.catalog: every setting, groups as zone templates", "[catalog]") {
    LoadOptions lo;
    lo.require_zones = true;  // a catalog may bring every zone
    const Config c = load_config_string(kKeys +
                                            "zones_from:\n"
                                            "  catalog: Catalog.Example.\n"
                                            "  primary: 192.0.2.53\n"
                                            "  port: 5300\n"
                                            "  tsig: cat-key\n"
                                            "  source: 192.0.2.10\n"
                                            "  timeout: 3s\n"
                                            "  max_members: 500\n"
                                            "  groups:\n"
                                            "    blue: {primary: ns1.alpha-dns.test,\n"
                                            "           watch: [{name: www, types: [A]}]}\n"
                                            "    plain:\n",
                                        "nswatch.yml", lo);
    const CatalogSettings& cat = c.inventory.catalog;
    CHECK(cat.name == "catalog.example");
    CHECK(cat.server == "192.0.2.53");
    CHECK(cat.port == 5300);
    CHECK(cat.key == "cat-key");
    CHECK(cat.source == "192.0.2.10");
    CHECK(cat.timeout == std::chrono::seconds(3));
    CHECK(cat.max_members == 500);
    REQUIRE(cat.groups.size() == 2);
    const ZoneConfig& blue = cat.groups.at("blue");
    CHECK(blue.name.empty());
    CHECK(blue.primary == "ns1.alpha-dns.test");
    REQUIRE(blue.watch.size() == 2);  // the apex first, then www
    CHECK(blue.watch[1].name == "www");
    CHECK(cat.groups.at("plain") == ZoneConfig{});
    CHECK(c.zones.empty());
}

TEST_CASE("zones_from.catalog: mistakes are named", "[catalog]") {
    CHECK_THAT(error_of("zones_from: {catalog: cat.example}\n"),
               Catch::Contains("missing key 'primary'"));
    CHECK_THAT(error_of("zones_from: {catalog: cat.example, primary: ns1.example}\n"),
               Catch::Contains("'ns1.example' is not an IP address"));
    CHECK_THAT(error_of("zones_from: {catalog: cat.example, primary: 192.0.2.1, tsig: nokey}\n"),
               Catch::Contains("no key named 'nokey'"));
    CHECK_THAT(error_of("zones_from: {catalog: cat.example, primary: 192.0.2.1, file: z.txt}\n"),
               Catch::Contains("either file or catalog"));
    CHECK_THAT(error_of("zones_from: {file: z.txt, primary: 192.0.2.1}\n"),
               Catch::Contains("primary belongs to a catalog"));
    CHECK_THAT(error_of("zones_from: {catalog: 'bad name!', primary: 192.0.2.1}\n"),
               Catch::Contains("not a valid catalog zone name"));
    CHECK_THAT(error_of("zones_from: {catalog: c.example, primary: 192.0.2.1,\n"
                        "             groups: {blue: {name: x.test}}}\n"),
               Catch::Contains("zones_from.groups.blue") && Catch::Contains("no name"));
    CHECK_THAT(error_of("zones_from: {catalog: c.example, primary: 192.0.2.1,\n"
                        "             groups: {blue: {colour: x}}}\n"),
               Catch::Contains("colour"));
    CHECK_THAT(error_of("zones_from: {catalog: c.example, primary: 192.0.2.1, groups: [a]}\n"),
               Catch::Contains("groups is a map"));
    CHECK_THAT(error_of("zones_from: {catalog: c.example, primary: 192.0.2.1, max_members: 0}\n"),
               Catch::Contains("max_members"));
}
