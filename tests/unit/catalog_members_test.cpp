// Tests for catalog/catalog_members: catalog members become zones with their group's settings,
// only this shard's, never overriding a zone the config file lists.
#include "catalog/catalog_members.hpp"

#include <catch2/catch.hpp>

#include "config/shard.hpp"

using namespace nswatch;

namespace {

Config with_groups() {
    Config c;
    ZoneConfig blue;
    blue.primary = "ns1.alpha-dns.test";
    blue.nameservers =
        std::vector<StaticNameserver>{{"ns1.alpha-dns.test", {"127.53.1.1"}, "", 53}};
    CatalogSettings catalog;
    catalog.name = "catalog.lab";
    catalog.groups.emplace("blue", blue);
    c.inventory.catalogs.push_back(catalog);
    ZoneConfig file;
    file.name = "file.test";
    c.zones.push_back(file);
    c.inventory.listed = 1;
    return c;
}

}  // namespace

TEST_CASE("members get their group's settings, the defaults otherwise", "[catalog]") {
    Config c = with_groups();
    const MemberMerge m = add_catalog_members(
        c, {{{"a.test", "1", "blue"}, {"b.test", "2", "unknown"}, {"c.test", "3", ""}}})[0];
    CHECK(m.added == 3);
    REQUIRE(c.zones.size() == 4);
    CHECK(c.zones[1].name == "a.test");
    CHECK(c.zones[1].primary == "ns1.alpha-dns.test");
    CHECK(c.zones[1].nameservers.size() == 1);
    CHECK(c.zones[2].name == "b.test");
    CHECK(c.zones[2].primary.empty());
    CHECK(c.zones[2].nameservers.empty());
    CHECK(c.zones[3].watch == ZoneConfig{}.watch);
    CHECK(c.inventory.listed == 4);
}

TEST_CASE("a member the file lists keeps the file's settings", "[catalog]") {
    Config c = with_groups();
    const MemberMerge m = add_catalog_members(c, {{{"file.test", "1", "blue"}}})[0];
    CHECK(m.added == 0);
    CHECK(m.in_file == 1);
    REQUIRE(c.zones.size() == 1);
    CHECK(c.zones[0].primary.empty());
}

TEST_CASE("members of other shards are left to them", "[catalog]") {
    std::vector<CatalogMember> members;
    for (int i = 0; i < 200; ++i) members.push_back({"z" + std::to_string(i) + ".test", "", ""});
    size_t total = 0;
    for (uint32_t index = 0; index < 3; ++index) {
        Config c;
        c.inventory.shard = {index, 3};
        c.inventory.catalogs.emplace_back().name = "catalog.lab";
        const MemberMerge m = add_catalog_members(c, {members})[0];
        CHECK(m.added + m.other_shard == 200);
        CHECK(m.added > 0);
        for (const auto& z : c.zones) CHECK(in_shard(z.name, c.inventory.shard));
        total += m.added;
    }
    CHECK(total == 200);
}

TEST_CASE("a zone two catalogs list is watched once, with the first catalog's settings",
          "[catalog]") {
    Config c = with_groups();
    CatalogSettings second;
    second.name = "second.lab";
    ZoneConfig red;
    red.primary = "ns1.beta-dns.test";
    second.groups.emplace("red", red);
    c.inventory.catalogs.push_back(second);
    const std::vector<MemberMerge> m = add_catalog_members(
        c, {{{"a.test", "1", "blue"}, {"b.test", "2", ""}},
            {{"a.test", "x", "red"}, {"c.test", "y", "red"}, {"file.test", "z", "red"}}});
    REQUIRE(m.size() == 2);
    CHECK(m[0].added == 2);
    CHECK(m[0].in_earlier_catalog.empty());
    CHECK(m[1].added == 1);
    CHECK(m[1].in_file == 1);
    CHECK(m[1].in_earlier_catalog ==
          std::vector<SharedMember>{{"a.test", "catalog.lab", "second.lab"}});
    REQUIRE(c.zones.size() == 4);  // file.test, a.test, b.test, c.test
    CHECK(c.zones[1].name == "a.test");
    CHECK(c.zones[1].primary == "ns1.alpha-dns.test");  // blue, of the first catalog
    CHECK(c.zones[3].name == "c.test");
    CHECK(c.zones[3].primary == "ns1.beta-dns.test");
    CHECK(c.inventory.listed == 4);
}

TEST_CASE("without the first catalog, the second one's settings apply", "[catalog]") {
    Config c = with_groups();
    c.inventory.catalogs.front().name = "second.lab";
    c.inventory.catalogs.front().groups.clear();
    const std::vector<MemberMerge> m = add_catalog_members(c, {{{"a.test", "x", "blue"}}});
    REQUIRE(m.size() == 1);
    CHECK(m[0].added == 1);
    REQUIRE(c.zones.size() == 2);
    CHECK(c.zones[1].primary.empty());
}
