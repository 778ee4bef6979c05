// Tests for `zones_from` in the loader: zones read from a zone-list file or a directory of YAML
// fragments, merged with the inline list, duplicates named with both places, and re-read on
// every load (the daemon's SIGHUP and POST /-/reload load the file again).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

std::vector<std::string> names_of(const Config& c) {
    std::vector<std::string> out;
    for (const auto& z : c.zones) out.push_back(z.name);
    return out;
}

std::string error_of(const std::string& path, const LoadOptions& options = {}) {
    try {
        load_config_file(path, options);
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL_CHECK("no ConfigError thrown");
    return "";
}

}  // namespace

TEST_CASE("zones_from: a zone-list file beside the config, merged after the inline zones",
          "[config][zones_from]") {
    test::TempDir dir;
    write(dir.path / "etc" / "zones.txt",
          "# from the registrar\nexample.com\nshop.test ns1.alpha.test=192.0.2.1;provider=alpha\n");
    write(dir.path / "etc" / "nswatch.yml",
          "zones: [inline.test]\nzones_from:\n  file: zones.txt\n");
    // Relative to the config's directory, not to the working directory.
    const Config c = load_config_file((dir.path / "etc" / "nswatch.yml").string());
    CHECK(names_of(c) == std::vector<std::string>{"inline.test", "example.com", "shop.test"});
    CHECK(c.inventory.zones_from == (dir.path / "etc" / "zones.txt").string());
    CHECK(c.inventory.listed == 3);
    CHECK(c.zones[2].nameservers.get() ==
          std::vector<StaticNameserver>{{"ns1.alpha.test", {"192.0.2.1"}, "alpha", 53}});
}

TEST_CASE("zones_from: zones of the list share equal nameserver lists", "[config][zones_from]") {
    test::TempDir dir;
    std::string list;
    for (int i = 0; i < 50; ++i) {
        list += "z" + std::to_string(i) + ".test ns1.p1.test=192.0.2.1 ns2.p2.test=192.0.2.2\n";
    }
    write(dir.path / "zones.txt", list);
    write(dir.path / "nswatch.yml", "zones_from: {file: zones.txt}\n");
    const Config c = load_config_file(dir.file("nswatch.yml"));
    REQUIRE(c.zones.size() == 50);
    for (const auto& z : c.zones) {
        CHECK(z.nameservers.shares(c.zones[0].nameservers));
        CHECK(z.watch.shares(shared_default_watch()));
    }
}

TEST_CASE("zones_from: a zone listed twice names both places", "[config][zones_from]") {
    test::TempDir dir;
    write(dir.path / "zones.txt", "example.com\n\nSHOP.test.\n");
    write(dir.path / "nswatch.yml",
          "zones:\n  - other.test\n  - shop.test\nzones_from:\n"
          "  file: zones.txt\n");
    CHECK(error_of(dir.file("nswatch.yml")) ==
          dir.file("zones.txt") + ":3:1: duplicate zone 'shop.test' (also listed at " +
              dir.file("nswatch.yml") + ":3:5); each zone may appear once");

    write(dir.path / "zones.txt", "example.com\nshop.test\nexample.com\n");
    write(dir.path / "nswatch.yml", "zones_from: {file: zones.txt}\n");
    CHECK(error_of(dir.file("nswatch.yml")) ==
          dir.file("zones.txt") + ":3:1: duplicate zone 'example.com' (also listed at " +
              dir.file("zones.txt") + ":1:1); each zone may appear once");
}

TEST_CASE("zones_from: a directory of YAML fragments, read in name order", "[config][zones_from]") {
    test::TempDir dir;
    const fs::path frag = dir.path / "zones.d";
    write(frag / "20-beta.yml",
          "zones:\n  - beta.test\n  - name: shop.test\n"
          "    thresholds: {rtt_warning: 1s}\n");
    write(frag / "10-alpha.yml", "zones: [alpha.test]\n");
    write(frag / "30-empty.yml", "# nothing yet\n");
    write(frag / "40-more.yaml", "zones: [more.test]\n");
    write(frag / "README.txt", "not a fragment\n");
    write(frag / "old" / "00-ignored.yml", "zones: [ignored.test]\n");
    write(dir.path / "nswatch.yml",
          "thresholds: {serial_lag_warning: 7m}\nzones_from: {file: zones.d}\n");
    const Config c = load_config_file(dir.file("nswatch.yml"));
    CHECK(names_of(c) ==
          std::vector<std::string>{"alpha.test", "beta.test", "shop.test", "more.test"});
    // A fragment's zone overrides the global thresholds as an inline zone does.
    const Thresholds t = c.thresholds_for(c.zones[2]);
    CHECK(t.rtt_warning == std::chrono::seconds(1));
    CHECK(t.serial_lag_warning == std::chrono::minutes(7));

    SECTION("a zone in two fragments") {
        write(frag / "50-again.yml", "zones:\n  - more.test\n");
        CHECK(error_of(dir.file("nswatch.yml")) ==
              (frag / "50-again.yml").string() +
                  ":2:5: duplicate zone 'more.test' (also listed at " +
                  (frag / "40-more.yaml").string() + ":1:9); each zone may appear once");
    }
    SECTION("a fragment's mistake is reported in its own file and line") {
        write(frag / "20-beta.yml",
              "zones:\n  - beta.test\n  - name: shop.test\n"
              "    nameservers: [{name: ns1.a.test, addresses: [192.0.2.300]}]\n");
        CHECK(error_of(dir.file("nswatch.yml")) ==
              (frag / "20-beta.yml").string() +
                  ":4:50: zones[1].nameservers[0].addresses[0]: '192.0.2.300' is not an IPv4 or "
                  "IPv6 address");
    }
    SECTION("a fragment holds only a zones list") {
        write(frag / "20-beta.yml", "zones: [beta.test]\nprobe: {timeout: 1s}\n");
        const std::string e = error_of(dir.file("nswatch.yml"));
        CHECK(e.rfind((frag / "20-beta.yml").string() + ":2:1: unknown key 'probe'", 0) == 0);
        CHECK(e.find("(allowed keys: zones)") != std::string::npos);
    }
}

TEST_CASE("zones_from: one YAML file is one fragment", "[config][zones_from]") {
    test::TempDir dir;
    write(dir.path / "more.yml", "zones:\n  - name: shop.test\n    primary: ns1.a.test\n");
    write(dir.path / "nswatch.yml", "zones_from: {file: more.yml}\n");
    const Config c = load_config_file(dir.file("nswatch.yml"));
    REQUIRE(c.zones.size() == 1);
    CHECK(c.zones[0].primary == "ns1.a.test");
}

TEST_CASE("zones_from: every load reads the file again, as a reload does", "[config][zones_from]") {
    test::TempDir dir;
    write(dir.path / "zones.txt", "a.test\nb.test\n");
    write(dir.path / "nswatch.yml", "zones_from: {file: zones.txt}\n");
    LoadOptions daemon;
    daemon.require_zones = true;
    CHECK(names_of(load_config_file(dir.file("nswatch.yml"), daemon)) ==
          std::vector<std::string>{"a.test", "b.test"});
    write(dir.path / "zones.txt", "b.test\nc.test ns1.c.test=192.0.2.3\n");
    const Config reloaded = load_config_file(dir.file("nswatch.yml"), daemon);
    CHECK(names_of(reloaded) == std::vector<std::string>{"b.test", "c.test"});
    CHECK(reloaded.zones[1].nameservers.size() == 1);
    // A list emptied by its tool: the daemon refuses it as it refuses a config without zones.
    write(dir.path / "zones.txt", "# nothing\n");
    CHECK(error_of(dir.file("nswatch.yml"), daemon) ==
          dir.file("nswatch.yml") + ":1:13: zones_from: no zones: '" + dir.file("zones.txt") +
              "' lists none, and there is no 'zones' list");
}

TEST_CASE("zones_from: the shard applies to the listed zones", "[config][zones_from]") {
    test::TempDir dir;
    std::string list;
    for (int i = 0; i < 100; ++i) list += "z" + std::to_string(i) + ".test\n";
    write(dir.path / "zones.txt", list);
    write(dir.path / "nswatch.yml",
          "zones: [shop.test, example.com]\nzones_from: {file: zones.txt}\n"
          "shard: {index: 1, count: 4}\n");
    const Config c = load_config_file(dir.file("nswatch.yml"));
    CHECK(c.inventory.listed == 102);
    size_t expected = 0;
    for (int i = 0; i < 100; ++i) expected += shard_of("z" + std::to_string(i) + ".test", 4) == 1;
    expected += shard_of("shop.test", 4) == 1;
    expected += shard_of("example.com", 4) == 1;
    CHECK(c.zones.size() == expected);
    for (const auto& z : c.zones) CHECK(shard_of(z.name, 4) == 1);
}

TEST_CASE("zones_from: what cannot be read is named", "[config][zones_from]") {
    test::TempDir dir;
    write(dir.path / "nswatch.yml", "zones_from:\n  file: missing.txt\n");
    CHECK(error_of(dir.file("nswatch.yml")) ==
          dir.file("nswatch.yml") + ":2:9: zones_from.file: cannot read '" +
              dir.file("missing.txt") + "': No such file or directory");
    write(dir.path / "nswatch.yml", "zones_from: {file: /dev/zero}\n");
    CHECK(error_of(dir.file("nswatch.yml")) ==
          dir.file("nswatch.yml") +
              ":1:20: zones_from.file: '/dev/zero' is neither a regular file nor a directory");
    write(dir.path / "nswatch.yml", "zones_from: zones.txt\n");
    CHECK(error_of(dir.file("nswatch.yml")) ==
          dir.file("nswatch.yml") +
              ":1:13: zones_from: expected a map of keys (file, catalog, primary, port, tsig, "
              "source, timeout, max_members, groups), got "
              "'zones.txt'");
    write(dir.path / "nswatch.yml", "zones_from: {path: zones.txt}\n");
    CHECK(error_of(dir.file("nswatch.yml")).find("unknown key 'path' in zones_from") !=
          std::string::npos);
    write(dir.path / "zones.txt", "shop.test ns1.a.test=192.0.2.1;port=99999\n");
    write(dir.path / "nswatch.yml", "zones_from: {file: zones.txt}\n");
    CHECK(error_of(dir.file("nswatch.yml")) ==
          dir.file("zones.txt") +
              ":1:11: nameserver 'ns1.a.test': port '99999' is not a whole number between 1 and "
              "65535");
}
