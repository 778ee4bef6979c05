// Tests for catalog/catalog_zone: members and groups read from catalog records (RFC 9432), built
// from zone-file text by ldns and put in canonical form as a transfer gives them; malformed
// entries reported and skipped; a zone that is no catalog refused as a whole.
#include "catalog/catalog_zone.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dns/transfer_record.hpp"

using namespace nswatch;

namespace {

/// Records from zone-file lines ("owner ttl IN TYPE rdata"), as a transfer gives them.
std::vector<Record> records(const std::vector<std::string>& lines) {
    std::vector<Record> out;
    for (const auto& line : lines) {
        ldns_rr* rr = nullptr;
        const ldns_status s = ldns_rr_new_frm_str(&rr, line.c_str(), 3600, nullptr, nullptr);
        REQUIRE(s == LDNS_STATUS_OK);
        out.push_back(transfer_record(rr));
        ldns_rr_free(rr);
    }
    return out;
}

const std::vector<std::string> kHead{
    "catalog.lab. 0 IN SOA invalid. hostmaster.invalid. 7 3600 600 86400 0",
    "catalog.lab. 0 IN NS invalid.",
};

std::vector<Record> catalog(const std::string& version, std::vector<std::string> lines) {
    std::vector<std::string> all = kHead;
    if (!version.empty()) all.push_back("version.catalog.lab. 0 IN TXT \"" + version + "\"");
    all.insert(all.end(), lines.begin(), lines.end());
    return records(all);
}

std::vector<std::string> zones_of(const CatalogContent& c) {
    std::vector<std::string> z;
    for (const auto& m : c.members) z.push_back(m.zone + (m.group.empty() ? "" : "/" + m.group));
    return z;
}

}  // namespace

TEST_CASE("version 2 catalog: members with their groups, unknown properties ignored", "[catalog]") {
    const auto c = read_catalog(
        "catalog.lab", catalog("2", {
                                        "m1.zones.catalog.lab. 0 IN PTR Shop.Test.",
                                        "group.m1.zones.catalog.lab. 0 IN TXT \"blue\"",
                                        "coo.m1.zones.catalog.lab. 0 IN PTR other.catalog.",
                                        "m2.zones.catalog.lab. 0 IN PTR alpha-dns.test.",
                                        "ext.m2.zones.catalog.lab. 0 IN TXT \"x\"",
                                    }));
    CHECK(c.version == 2);
    CHECK(zones_of(c) == std::vector<std::string>{"alpha-dns.test", "shop.test/blue"});
    CHECK(c.members[1].id == "m1");
    CHECK(c.problems.empty());
}

TEST_CASE("version 1 catalog: members, and no group property in version 1", "[catalog]") {
    const auto c =
        read_catalog("catalog.lab", catalog("1", {
                                                     "a.zones.catalog.lab. 0 IN PTR shop.test.",
                                                     "group.a.zones.catalog.lab. 0 IN TXT \"blue\"",
                                                 }));
    CHECK(c.version == 1);
    CHECK(zones_of(c) == std::vector<std::string>{"shop.test"});
}

TEST_CASE("a zone without a supported version is not read as a catalog", "[catalog]") {
    CHECK_THROWS_WITH(read_catalog("catalog.lab", catalog("", {})),
                      Catch::Contains("catalog.lab has no version.catalog.lab. TXT record") &&
                          Catch::Contains("not a catalog zone"));
    CHECK_THROWS_WITH(
        read_catalog("catalog.lab", catalog("3", {})),
        Catch::Contains("catalog.lab has version \"3\"") && Catch::Contains("versions 1 and 2"));
    auto two = catalog("2", {"version.catalog.lab. 0 IN TXT \"1\""});
    CHECK_THROWS_WITH(read_catalog("catalog.lab", two), Catch::Contains("2 version TXT records"));
    CHECK_THROWS_AS(read_catalog("other.lab", catalog("2", {})), CatalogError);
}

TEST_CASE("malformed entries are reported naming the record and skipped", "[catalog]") {
    const auto c = read_catalog(
        "catalog.lab", catalog("2", {
                                        "dup.zones.catalog.lab. 0 IN PTR one.test.",
                                        "dup.zones.catalog.lab. 0 IN PTR two.test.",
                                        "stray.catalog.lab. 0 IN PTR three.test.",
                                        "root.zones.catalog.lab. 0 IN PTR .",
                                        "odd.zones.catalog.lab. 0 IN PTR bad\\032name.test.",
                                        "again.zones.catalog.lab. 0 IN PTR ok.test.",
                                        "b.zones.catalog.lab. 0 IN PTR ok.test.",
                                        "group.b.zones.catalog.lab. 0 IN TXT \"has space\"",
                                        "good.zones.catalog.lab. 0 IN PTR good.test.",
                                    }));
    CHECK(zones_of(c) == std::vector<std::string>{"good.test", "ok.test"});
    const std::string all = [&] {
        std::string s;
        for (const auto& p : c.problems) s += p + "\n";
        return s;
    }();
    CHECK_THAT(all, Catch::Contains("dup.zones.catalog.lab.: 2 PTR records"));
    CHECK_THAT(all, Catch::Contains("stray.catalog.lab. PTR three.test.: a member PTR must be at"));
    CHECK_THAT(all, Catch::Contains("root.zones.catalog.lab. PTR .: not a zone name"));
    CHECK_THAT(all, Catch::Contains("odd.zones.catalog.lab. PTR"));
    CHECK_THAT(all, Catch::Contains("ok.test is already the member at id again"));
    CHECK_THAT(all, Catch::Contains("ignored the group of ok.test"));
    CHECK(c.problems.size() == 6);
}

TEST_CASE("a catalog over the member limit is refused as a whole", "[catalog]") {
    std::vector<Record> rs = catalog("2", {});
    for (int i = 0; i < 101; ++i) {
        rs.push_back({"m" + std::to_string(i) + ".zones.catalog.lab.", 12, 0,
                      "z" + std::to_string(i) + ".test."});
    }
    CHECK_THROWS_WITH(read_catalog("catalog.lab", rs, 100),
                      Catch::Contains("more than 100 member zones"));
    CHECK(read_catalog("catalog.lab", rs, 101).members.size() == 101);
}

TEST_CASE("member zone names: usable ones normalised, others refused", "[catalog]") {
    CHECK(member_zone_name("Shop.TEST.") == "shop.test");
    CHECK(member_zone_name("a_b.test") == "a_b.test");
    CHECK(member_zone_name(".").empty());
    CHECK(member_zone_name("a..test.").empty());
    CHECK(member_zone_name(std::string(64, 'a') + ".test.").empty());
    std::string long_name;
    for (int i = 0; i < 64; ++i) long_name += "abc.";
    CHECK(member_zone_name(long_name).empty());
}

TEST_CASE("a hostile catalog of 100,000 members is refused at the default limit", "[catalog]") {
    std::vector<Record> rs = catalog("2", {});
    for (int i = 0; i < 100000; ++i) {
        rs.push_back({"m" + std::to_string(i) + ".zones.catalog.lab.", 12, 0,
                      "z" + std::to_string(i) + ".test."});
    }
    CHECK_THROWS_WITH(read_catalog("catalog.lab", rs),
                      Catch::Contains("more than 10000 member zones"));
}
