// Tests for `zones_from` in the loader: zones read from a zone-list file or a directory of YAML
// fragments, merged with the inline list, duplicates named with both places, and re-read on
// every load (the daemon's SIGHUP and POST /-/reload load the file again). A fragment's `zones`
// list is read zone by zone as the main file's (config/zone_cut.hpp), with the same zones and the
// same errors, in the fragment's own lines, as when it is parsed as one tree.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/zone_cut.hpp"
#include "load_outcome.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace nswatch::test;
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

/// A load's result: the Config, or the ConfigError's message.

/// The config file at `path` loaded with every `zones` list (the fragments' too) cut zone by zone,
/// or (`whole`) with every document parsed as one tree.
LoadOutcome load_way(const fs::path& path, bool whole) {
    std::ostringstream text;
    text << std::ifstream(path).rdbuf();
    config_detail::Loader loader(path.string(), path.parent_path());
    if (whole) loader.parse_whole_document();
    try {
        return loader.load(text.str(), LoadOptions{false, std::nullopt});
    } catch (const ConfigError& e) {
        return std::string(e.what());
    }
}

/// Loads `path` both ways, checks that they agree (the zones, or the error message), and returns
/// the outcome.
LoadOutcome load_both(const fs::path& path) {
    const LoadOutcome cut = load_way(path, false);
    const LoadOutcome whole = load_way(path, true);
    REQUIRE(cut.index() == whole.index());
    if (const auto* message = std::get_if<std::string>(&cut)) {
        CHECK(*message == std::get<std::string>(whole));
    } else {
        CHECK(std::get<Config>(cut).zones == std::get<Config>(whole).zones);
        CHECK(std::get<Config>(cut).inventory == std::get<Config>(whole).inventory);
    }
    return cut;
}

/// How many zone items the cut finds in the file at `path` (0: it is parsed as one tree).
size_t items_cut(const fs::path& path) {
    std::ostringstream text;
    text << std::ifstream(path).rdbuf();
    const auto cut = config_detail::cut_zone_items(text.str());
    return cut ? cut->items.size() : 0;
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

TEST_CASE("zones_from: a fragment read zone by zone gives the zones of its whole tree",
          "[config][zones_from][zone_cut]") {
    test::TempDir dir;
    const fs::path frag = dir.path / "zones.d";
    write(frag / "10-varied.yml",
          "# written by the provisioning tool\n"
          "zones:\n"
          "  # the shop\n"
          "  - name: \"shop.test\"\n"
          "    primary: ns1.alpha-dns.test\n"
          "    nameservers:\n"
          "      - name: ns1.alpha-dns.test\n"
          "        addresses: [192.0.2.53, \"2001:db8::53\"]\n"
          "        provider: 'alpha: the - first'\n"
          "      - {name: ns2.beta.test, addresses: ['198.51.100.7'], port: 5353}\n"
          "    watch:\n"
          "      - www\n"
          "      - {name: mail, types: [MX, \"A\"]}\n"
          "\n"
          "# a comment at column 0 inside the list\n"
          "  - example.com\n"
          "  - name: multi.test\n"
          "    nameservers:\n"
          "      - name: ns1.multi.test\n"
          "        addresses:\n"
          "          - 192.0.2.1\n"
          "        provider: >\n"
          "          folded over\n"
          "          two lines\n"
          "    thresholds:\n"
          "      rtt_warning: 2s\n");
    std::string many = "zones:\n";
    for (int i = 0; i < 300; ++i) {
        many += "- name: z" + std::to_string(i) + ".test\n  nameservers: [{name: ns1.p.test, " +
                "addresses: [192.0.2." + std::to_string(i % 250 + 1) + "]}]\n";
    }
    write(frag / "20-many.yaml", many);
    write(dir.path / "nswatch.yml",
          "thresholds: {serial_lag_warning: 7m}\nzones: [inline.test]\n"
          "zones_from: {file: zones.d}\n");
    CHECK(items_cut(frag / "10-varied.yml") == 3);
    CHECK(items_cut(frag / "20-many.yaml") == 300);

    const LoadOutcome outcome = load_both(dir.path / "nswatch.yml");
    const Config& c = config_of(outcome);
    REQUIRE(c.zones.size() == 304);
    CHECK(names_of(c)[1] == "shop.test");
    CHECK(c.zones[1].nameservers.get() ==
          std::vector<StaticNameserver>{
              {"ns1.alpha-dns.test", {"192.0.2.53", "2001:db8::53"}, "alpha: the - first", 53},
              {"ns2.beta.test", {"198.51.100.7"}, "", 5353}});
    CHECK(c.zones[1].watch.size() == 3);
    CHECK(c.zones[3].nameservers.get().front().provider == "folded over two lines\n");
    CHECK(c.thresholds_for(c.zones[3]).rtt_warning == std::chrono::seconds(2));
    CHECK(c.thresholds_for(c.zones[3]).serial_lag_warning == std::chrono::minutes(7));
    CHECK(c.zones[303].name == "z299.test");
    // Equal lists of zones in different fragments are shared, as zones of one file.
    CHECK(c.zones[4].nameservers.get().front().addresses == std::vector<std::string>{"192.0.2.1"});
    CHECK(c.zones[4].nameservers.shares(c.zones[254].nameservers));
    CHECK(c.inventory.listed == 304);
}

TEST_CASE("zones_from: an error in a fragment's 3rd zone names the fragment and its line",
          "[config][zones_from][zone_cut]") {
    test::TempDir dir;
    const fs::path frag = dir.path / "zones.d";
    write(frag / "10-alpha.yml", "zones:\n  - alpha.test\n");
    write(dir.path / "nswatch.yml",
          "probe:\n  interval: 30s\nzones:\n  - inline.test\nzones_from: {file: zones.d}\n");
    const std::string beta = (frag / "20-beta.yml").string();

    SECTION("a bad address") {
        write(frag / "20-beta.yml",
              "# generated\n"
              "\n"
              "zones:\n"
              "  - a.test\n"
              "  - name: b.test\n"
              "    nameservers: [{name: ns1.b.test, addresses: [192.0.2.1]}]\n"
              "  - name: c.test\n"
              "    nameservers:\n"
              "      - name: ns1.c.test\n"
              "        addresses: [192.0.2.1, 300.1.2.3]\n"
              "  - d.test\n");
        CHECK(items_cut(frag / "20-beta.yml") == 4);
        CHECK(error_of(load_both(dir.path / "nswatch.yml")) ==
              beta +
                  ":10:32: zones[2].nameservers[0].addresses[1]: '300.1.2.3' is not an IPv4 or "
                  "IPv6 address");
    }
    SECTION("an unknown key") {
        write(frag / "20-beta.yml",
              "zones:\n  - a.test\n  - b.test\n  - name: c.test\n    nameserver: []\n");
        CHECK(error_of(load_both(dir.path / "nswatch.yml")) ==
              beta +
                  ":5:5: unknown key 'nameserver' in zones[2]: did you mean 'nameservers'? "
                  "(allowed keys: name, primary, watch, nameservers, thresholds, reference)");
    }
    SECTION("a zone listed twice in the fragment") {
        write(frag / "20-beta.yml", "zones:\n  - a.test\n  - b.test\n\n  - name: a.test\n");
        CHECK(error_of(load_both(dir.path / "nswatch.yml")) ==
              beta +
                  ":5:11: zones[2].name: duplicate zone 'a.test' (first defined at 2:5); each "
                  "zone may appear once");
    }
    SECTION("a zone of another fragment") {
        write(frag / "20-beta.yml", "zones:\n  - a.test\n  - b.test\n  - name: alpha.test\n");
        CHECK(error_of(load_both(dir.path / "nswatch.yml")) ==
              beta + ":4:11: duplicate zone 'alpha.test' (also listed at " +
                  (frag / "10-alpha.yml").string() + ":2:5); each zone may appear once");
    }
    SECTION("a syntax error after the zone's mistake is reported first, as in one tree") {
        write(frag / "20-beta.yml",
              "zones:\n  - a.test\n  - 'bad name'\n  - b.test\n  - name: [c.test\n");
        const std::string e = error_of(load_both(dir.path / "nswatch.yml"));
        CHECK(e.rfind(beta + ":", 0) == 0);
        CHECK(e.find("YAML syntax error") != std::string::npos);
    }
}

TEST_CASE("zones_from: a fragment the cut cannot be sure of is read as one tree",
          "[config][zones_from][zone_cut]") {
    test::TempDir dir;
    const fs::path frag = dir.path / "zones.d";
    write(dir.path / "nswatch.yml", "zones_from: {file: zones.d}\n");
    const fs::path file = frag / "10-zones.yml";

    SECTION("a flow list") {
        write(file, "zones: [{name: a.test}, b.test]\n");
        CHECK(items_cut(file) == 0);
        CHECK(names_of(config_of(load_both(dir.path / "nswatch.yml"))) ==
              std::vector<std::string>{"a.test", "b.test"});
    }
    SECTION("anchors and aliases") {
        write(file,
              "zones:\n"
              "  - name: a.test\n"
              "    nameservers: &servers [{name: ns1.x.test, addresses: [192.0.2.1]}]\n"
              "  - name: b.test\n"
              "    nameservers: *servers\n"
              "  - &zone c.test\n");
        CHECK(items_cut(file) == 0);
        const LoadOutcome outcome = load_both(dir.path / "nswatch.yml");
        const Config& c = config_of(outcome);
        CHECK(names_of(c) == std::vector<std::string>{"a.test", "b.test", "c.test"});
        CHECK(c.zones[1].nameservers.get().front().name == "ns1.x.test");
    }
    SECTION("a tab") {
        write(file, "zones:\n  - name: a.test\n    primary:\tns1.a.test\n");
        CHECK(items_cut(file) == 0);
        CHECK(config_of(load_both(dir.path / "nswatch.yml")).zones[0].primary == "ns1.a.test");
    }
    SECTION("an empty item after two zones: cut, then reported at the list as in one tree") {
        write(file, "zones:\n  - a.test\n  - b.test\n  -\n  - c.test\n");
        CHECK(items_cut(file) == 4);
        CHECK(error_of(load_both(dir.path / "nswatch.yml"))
                  .rfind(file.string() + ":2:3: zones[2]: ", 0) == 0);
    }
    SECTION("two documents") {
        write(file, "zones:\n  - a.test\n---\nzones:\n  - b.test\n");
        CHECK(error_of(load_both(dir.path / "nswatch.yml")) ==
              file.string() +
                  ":3:1: only one YAML document is allowed; remove the second '---' and what "
                  "follows");
    }
}

TEST_CASE("zones_from: zones dropped from a sink are no longer listed", "[config][zones_from]") {
    // A fragment whose cut turns out unsure is read again as one tree: what the cut read goes.
    config_detail::ZoneSink sink("nswatch.yml");
    const uint32_t file = sink.add_file("zones.d/10.yml");
    Config config;
    ZoneConfig zone;
    zone.name = "kept.test";
    sink.add(config, ZoneConfig(zone), 0, 1, 1);
    zone.name = "again.test";
    sink.add(config, ZoneConfig(zone), file, 2, 5);
    sink.drop_from(config, 1);
    CHECK(names_of(config) == std::vector<std::string>{"kept.test"});
    sink.add(config, ZoneConfig(zone), file, 2, 5);
    CHECK_NOTHROW(sink.check_unique(config.zones));
    CHECK(config.zones.size() == 2);
}
