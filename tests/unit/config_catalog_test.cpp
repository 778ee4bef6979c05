// Tests for `zones_from: {catalog: ...}` in the loader: where the catalog is transferred from,
// the zone settings of its groups, several catalogs and a file in the list form, and the mistakes
// a user can make, each named at its place.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.hpp"
#include "temp_dir.hpp"

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
    REQUIRE(c.inventory.catalogs.size() == 1);
    const CatalogSettings& cat = c.inventory.catalogs[0];
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

TEST_CASE("zones_from as a list: a file and several catalogs, each with its own settings",
          "[catalog]") {
    nswatch::test::TempDir dir;
    std::ofstream(dir.path / "zones.txt") << "file.test\n";
    std::ofstream(dir.path / "nswatch.yml")
        << kKeys
        << "zones_from:\n"
           "  - catalog: first.example\n"
           "    primary: 192.0.2.53\n"
           "    groups: {blue: {primary: ns1.a.test}}\n"
           "  - file: zones.txt\n"
           "  - {catalog: second.example, primary: 192.0.2.54,\n"
           "     port: 5300, tsig: cat-key, max_members: 7}\n";
    const Config c = load_config_file((dir.path / "nswatch.yml").string());
    REQUIRE(c.inventory.catalogs.size() == 2);
    const CatalogSettings& first = c.inventory.catalogs[0];
    const CatalogSettings& second = c.inventory.catalogs[1];
    CHECK(first.name == "first.example");
    CHECK(first.server == "192.0.2.53");
    CHECK(first.port == 53);
    CHECK(first.key.empty());
    CHECK(first.max_members == 10000);
    REQUIRE(first.groups.size() == 1);
    CHECK(first.groups.at("blue").primary == "ns1.a.test");
    CHECK(second.name == "second.example");
    CHECK(second.server == "192.0.2.54");
    CHECK(second.port == 5300);
    CHECK(second.key == "cat-key");
    CHECK(second.max_members == 7);
    CHECK(second.groups.empty());
    CHECK(c.inventory.find_catalog("second.example") == &second);
    CHECK(c.inventory.find_catalog("third.example") == nullptr);
    CHECK(c.inventory.zones_from == (dir.path / "zones.txt").string());
    REQUIRE(c.zones.size() == 1);
    CHECK(c.zones[0].name == "file.test");
}

TEST_CASE("zones_from as a list of one catalog reads as the single map", "[catalog]") {
    LoadOptions lo;
    lo.require_zones = true;
    const Config listed = load_config_string(
        "zones_from: [{catalog: c.example, primary: 192.0.2.1}]\n", "nswatch.yml", lo);
    const Config single = load_config_string(
        "zones_from: {catalog: c.example, primary: 192.0.2.1}\n", "nswatch.yml", lo);
    CHECK(listed.inventory == single.inventory);
    CHECK(listed.inventory.catalogs.size() == 1);
}

TEST_CASE("zones_from as a list: mistakes are named with the entry", "[catalog]") {
    // The same catalog twice, however it is spelled.
    const std::string twice = error_of(
        "zones_from:\n"
        "  - {catalog: c.example, primary: 192.0.2.1}\n"
        "  - {catalog: C.Example., primary: 192.0.2.2}\n");
    CHECK_THAT(twice, Catch::Contains("zones_from[1].catalog") &&
                          Catch::Contains("'c.example' is listed twice") &&
                          Catch::Contains("zones_from[0].catalog at line 2"));
    CHECK_THAT(error_of("zones_from: []\n"), Catch::Contains("zones_from: an empty list"));
    CHECK_THAT(error_of("zones_from: [zones.txt]\n"), Catch::Contains("zones_from[0]"));
    CHECK_THAT(error_of("zones_from:\n"
                        "  - {catalog: c.example, primary: 192.0.2.1}\n"
                        "  - {catalog: d.example}\n"),
               Catch::Contains("zones_from[1]") && Catch::Contains("missing key 'primary'"));
    CHECK_THAT(error_of("zones_from: [{catalog: c.example, primary: 192.0.2.1, file: z.txt}]\n"),
               Catch::Contains("zones_from[0].file") && Catch::Contains("either file or catalog"));
    CHECK_THAT(error_of("zones_from: [{catalog: c.example, primary: 192.0.2.1, bogus: 1}]\n"),
               Catch::Contains("bogus"));

    // Two file entries: one file (or directory of fragments) only.
    nswatch::test::TempDir dir;
    std::ofstream(dir.path / "a.txt") << "a.test\n";
    std::ofstream(dir.path / "b.txt") << "b.test\n";
    std::ofstream(dir.path / "nswatch.yml")
        << "zones_from: [{file: a.txt}, {catalog: c.example, primary: 192.0.2.1}, {file: b.txt}]\n";
    std::string two_files;
    try {
        load_config_file((dir.path / "nswatch.yml").string());
    } catch (const ConfigError& e) {
        two_files = e.what();
    }
    CHECK_THAT(two_files, Catch::Contains("zones_from[2].file") &&
                              Catch::Contains("one file entry only (zones_from[0] has one)"));
}
