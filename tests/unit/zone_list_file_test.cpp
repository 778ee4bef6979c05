// Tests for config/zone_list_file: the line format of `zones_from` files, and its errors with
// file, line and column.
#include "config/zone_list_file.hpp"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"

using namespace nswatch;

namespace {

std::vector<std::pair<ZoneConfig, int>> read(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::pair<ZoneConfig, int>> out;
    read_zone_list(in, "zones.txt",
                   [&](ZoneConfig&& zone, int line) { out.emplace_back(std::move(zone), line); });
    return out;
}

std::string error_of(const std::string& text) {
    try {
        read(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL_CHECK("no ConfigError thrown");
    return "";
}

}  // namespace

TEST_CASE("zone list: names, comments, blank lines and line numbers", "[config][zone_list]") {
    const auto zones = read(
        "# zones exported from the registrar\n"
        "\n"
        "Example.COM.\n"
        "   shop.test    # indented, with a comment\r\n"
        "\t\n"
        "xn--bcher-kva.test\n");
    REQUIRE(zones.size() == 3);
    CHECK(zones[0].first.name == "example.com");
    CHECK(zones[0].second == 3);
    CHECK(zones[1].first.name == "shop.test");
    CHECK(zones[1].second == 4);
    CHECK(zones[2].first.name == "xn--bcher-kva.test");
    CHECK(zones[2].second == 6);
    // Every default, as a bare "- name" in YAML.
    ZoneConfig defaults;
    defaults.name = "example.com";
    CHECK(zones[0].first == defaults);
}

TEST_CASE("zone list: a byte order mark before the first line is skipped", "[config][zone_list]") {
    const auto zones = read("\xEF\xBB\xBFshop.test\n");
    REQUIRE(zones.size() == 1);
    CHECK(zones[0].first.name == "shop.test");
    CHECK(error_of("\xEF\xBB\xBFshop.test bad\n").rfind("zones.txt:1:11: ", 0) == 0);
}

TEST_CASE("zone list: primary and static nameservers with provider and port",
          "[config][zone_list]") {
    const auto zones = read(
        "shop.test primary=NS1.alpha.test. ns1.alpha.test=192.0.2.1,2001:DB8:0::1;provider=alpha "
        "ns1.beta.test=198.51.100.7;provider=beta;port=5353\n"
        "other.test ns1.gamma.test=192.0.2.9;port=53\n");
    REQUIRE(zones.size() == 2);
    const ZoneConfig& shop = zones[0].first;
    CHECK(shop.name == "shop.test");
    CHECK(shop.primary == "ns1.alpha.test");
    REQUIRE(shop.nameservers.size() == 2);
    CHECK(shop.nameservers[0] ==
          StaticNameserver{"ns1.alpha.test", {"192.0.2.1", "2001:db8::1"}, "alpha", 53});
    CHECK(shop.nameservers[1] == StaticNameserver{"ns1.beta.test", {"198.51.100.7"}, "beta", 5353});
    CHECK(shop.watch == shared_default_watch());
    CHECK(zones[1].first.nameservers.get() ==
          std::vector<StaticNameserver>{{"ns1.gamma.test", {"192.0.2.9"}, "", 53}});
}

TEST_CASE("zone list: the same zone as YAML and as a line is the same ZoneConfig",
          "[config][zone_list]") {
    const Config yaml = load_config_string(
        "zones:\n"
        "  - name: shop.test\n"
        "    primary: ns1.alpha.test\n"
        "    nameservers:\n"
        "      - {name: ns1.alpha.test, addresses: [192.0.2.1], provider: alpha}\n"
        "      - {name: ns2.beta.test, addresses: [\"2001:db8::2\", 192.0.2.2], port: 5300}\n",
        "t.yml");
    const auto line = read(
        "shop.test primary=ns1.alpha.test ns1.alpha.test=192.0.2.1;provider=alpha "
        "ns2.beta.test=2001:db8::2,192.0.2.2;port=5300\n");
    REQUIRE(line.size() == 1);
    CHECK(line[0].first == yaml.zones.at(0));
}

TEST_CASE("zone list: mistakes name the file, line and column", "[config][zone_list]") {
    CHECK(error_of("shop.test\nbad..name\n") ==
          "zones.txt:2:1: 'bad..name' is not a valid zone name: it has an empty label (two dots in "
          "a row, or a leading dot)");
    CHECK(error_of("shop.test other.test\n") ==
          "zones.txt:1:11: 'other.test' is not a setting: one zone per line, and after the zone "
          "name a line takes primary=NS-NAME and static nameservers "
          "NS-NAME=ADDRESS[,ADDRESS...][;provider=NAME][;port=N]");
    CHECK(error_of("shop.test primry=ns1.a.test\n") ==
          "zones.txt:1:11: unknown setting 'primry': did you mean 'primary'? (after the zone name "
          "a line takes primary=NS-NAME and static nameservers "
          "NS-NAME=ADDRESS[,ADDRESS...][;provider=NAME][;port=N])");
    CHECK(error_of("shop.test  ns1.a.test=192.0.2.300\n") ==
          "zones.txt:1:12: nameserver 'ns1.a.test': '192.0.2.300' is not an IPv4 or IPv6 address");
    CHECK(error_of("shop.test ns1.a.test=\n") ==
          "zones.txt:1:11: static nameserver 'ns1.a.test' has no addresses: write "
          "ns1.a.test=ADDRESS[,ADDRESS...]");
    CHECK(error_of("shop.test ns1.a.test=192.0.2.1,,192.0.2.2\n") ==
          "zones.txt:1:11: nameserver 'ns1.a.test': '' is not an IPv4 or IPv6 address");
    CHECK(error_of("shop.test ns1.a.test=192.0.2.1,192.0.2.01\n").find("is not an IPv4") !=
          std::string::npos);
    CHECK(error_of("shop.test ns1.a.test=2001:db8::1,2001:DB8::1\n") ==
          "zones.txt:1:11: nameserver 'ns1.a.test': address 2001:db8::1 is listed twice");
    CHECK(error_of("shop.test 192.0.2.1=192.0.2.1\n") ==
          "zones.txt:1:11: '192.0.2.1' is an address, not a nameserver name: write "
          "NS-NAME=ADDRESS");
    CHECK(error_of("shop.test ns1.a.test=192.0.2.1 NS1.A.test=192.0.2.2\n") ==
          "zones.txt:1:32: nameserver 'ns1.a.test' is listed twice (first at column 11); list all "
          "its addresses in one entry");
    CHECK(error_of("shop.test ns1.a.test=192.0.2.1;port=0\n") ==
          "zones.txt:1:11: nameserver 'ns1.a.test': port '0' is not a whole number between 1 and "
          "65535");
    CHECK(error_of("shop.test ns1.a.test=192.0.2.1;port=53x\n").find("port '53x'") !=
          std::string::npos);
    CHECK(error_of("shop.test ns1.a.test=192.0.2.1;provider=\n") ==
          "zones.txt:1:11: nameserver 'ns1.a.test': provider is empty");
    CHECK(error_of("shop.test ns1.a.test=192.0.2.1;provider=a;provider=b\n") ==
          "zones.txt:1:11: nameserver 'ns1.a.test': provider is given twice");
    CHECK(error_of("shop.test ns1.a.test=192.0.2.1;weight=3\n") ==
          "zones.txt:1:11: nameserver 'ns1.a.test': unknown setting 'weight=3' (after the "
          "addresses: ;provider=NAME and ;port=N)");
    CHECK(error_of("shop.test primary=ns1.a.test primary=ns2.a.test\n") ==
          "zones.txt:1:30: primary is given twice (first at column 11)");
    CHECK(error_of("shop.test primary=ns1.a.tset ns1.a.test=192.0.2.1\n") ==
          "zones.txt:1:11: primary 'ns1.a.tset' is not one of the zone's static nameservers: did "
          "you mean 'ns1.a.test'?");
    CHECK(error_of("shop.test primary=\n") ==
          "zones.txt:1:11: '' is not a valid primary nameserver name: it is empty (the root '.' "
          "cannot be used here)");
}

TEST_CASE("zone list: a line over 1 MiB is refused with its size", "[config][zone_list]") {
    const std::string text = "shop.test\n" + std::string(size_t{1} << 21, 'a') + "\n";
    CHECK(error_of(text) ==
          "zones.txt:2:1: line is 2097152 bytes long, more than the 1048576 a zone-list line "
          "may have");
}
