// Tests for the zone-by-zone reading of a `zones` list (config/zone_cut.hpp): every config loads
// to the same Config, or fails with the same message (file line and column included), whether its
// zones list is cut into items or parsed with the whole document as one tree; and the lists the
// cut cannot be sure of are left whole.
#include "config/zone_cut.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "load_outcome.hpp"

using namespace nswatch;
using namespace nswatch::test;
using nswatch::config_detail::cut_zone_items;

namespace {

/// A load's result: the Config, or the ConfigError's message.

LoadOutcome load(const std::string& yaml, bool whole, const std::string& source = "test.yml",
                 const std::filesystem::path& base = {}) {
    config_detail::Loader loader(source, base);
    if (whole) loader.parse_whole_document();
    try {
        return loader.load(yaml, LoadOptions{false, std::nullopt});
    } catch (const ConfigError& e) {
        return std::string(e.what());
    }
}

/// Loads `yaml` both ways, checks they agree on everything a Config compares, and returns the
/// outcome.
LoadOutcome load_both(const std::string& yaml, const std::string& source = "test.yml",
                      const std::filesystem::path& base = {}) {
    const LoadOutcome cut = load(yaml, false, source, base);
    const LoadOutcome whole = load(yaml, true, source, base);
    REQUIRE(cut.index() == whole.index());
    if (const auto* message = std::get_if<std::string>(&cut)) {
        CHECK(*message == std::get<std::string>(whole));
        return cut;
    }
    const Config& a = std::get<Config>(cut);
    const Config& b = std::get<Config>(whole);
    CHECK(a.zones == b.zones);
    CHECK(a.inventory == b.inventory);
    CHECK(a.thresholds == b.thresholds);
    CHECK(a.probe == b.probe);
    CHECK(a.providers == b.providers);
    CHECK(a.storage == b.storage);
    CHECK(a.http == b.http);
    CHECK(a.alerts == b.alerts);
    CHECK(a.keys.size() == b.keys.size());
    return cut;
}

size_t items_cut(const std::string& yaml) {
    const auto cut = cut_zone_items(yaml);
    return cut ? cut->items.size() : 0;
}

const std::string kVaried = R"(# A config with a bit of everything around and inside its zones list.
probe:
  interval: 30s   # "zones:" in a comment, and - a dash
providers:
  - name: alpha
    patterns: ["*.alpha-dns.test"]
thresholds:
  serial_lag_warning: 5m
zones:
  # the shop
  - name: "shop.test"
    primary: ns1.alpha-dns.test
    nameservers:
      - name: ns1.alpha-dns.test
        addresses: [192.0.2.53, "2001:db8::53"]
        provider: 'alpha: the - first'
      - {name: ns2.beta.test, addresses: ['198.51.100.7'], port: 5353}
    watch:
      - www
      - {name: mail, types: [MX, "A"]}

# a comment at column 0 inside the list
  - example.com
  - name: 'multi.test'
    nameservers:
      - name: ns1.multi.test
        addresses:
          - 192.0.2.1
          - 192.0.2.2
        provider: >
          folded over
          two lines
    thresholds:
      serial_lag_warning: 10m
  - name: plain.test   # trailing comment: with a colon
    nameservers:
      - name: ns1.plain.test
        addresses: [192.0.2.9]
        provider: a plain
          scalar on two lines
storage:
  path: /tmp/history.db
)";

}  // namespace

TEST_CASE("zone cut: a varied list loads to the same Config zone by zone as in one tree",
          "[config][zone_cut]") {
    CHECK(items_cut(kVaried) == 4);
    const LoadOutcome outcome = load_both(kVaried);
    const Config& c = config_of(outcome);
    REQUIRE(c.zones.size() == 4);
    CHECK(c.zones[0].name == "shop.test");
    CHECK(c.zones[0].nameservers.get() ==
          std::vector<StaticNameserver>{
              {"ns1.alpha-dns.test", {"192.0.2.53", "2001:db8::53"}, "alpha: the - first", 53},
              {"ns2.beta.test", {"198.51.100.7"}, "", 5353}});
    CHECK(c.zones[0].watch.size() == 3);
    CHECK(c.zones[1].name == "example.com");
    CHECK(c.zones[2].nameservers.get().front().provider == "folded over two lines\n");
    CHECK(c.zones[3].nameservers.get().front().provider == "a plain scalar on two lines");
    CHECK(c.probe.interval == std::chrono::seconds(30));
    CHECK(c.storage.path == "/tmp/history.db");
}

TEST_CASE("zone cut: an error in the 3rd zone names its line and column in the file",
          "[config][zone_cut]") {
    const std::string yaml =
        "probe:\n"
        "  interval: 30s\n"
        "zones:\n"
        "  - a.test\n"
        "  - name: b.test\n"
        "    nameservers: [{name: ns1.b.test, addresses: [192.0.2.1]}]\n"
        "  - name: c.test\n"
        "    nameservers:\n"
        "      - name: ns1.c.test\n"
        "        addresses: [192.0.2.1, 300.1.2.3]\n"
        "  - d.test\n";
    CHECK(items_cut(yaml) == 4);
    CHECK(error_of(load_both(yaml)) ==
          "test.yml:10:32: zones[2].nameservers[0].addresses[1]: '300.1.2.3' is not an IPv4 or "
          "IPv6 address");
}

TEST_CASE("zone cut: errors inside a zone and across zones keep their lines",
          "[config][zone_cut]") {
    const std::string head = "http:\n  listen: 127.0.0.1:9153\nzones:\n  - a.test\n  - b.test\n";
    SECTION("a zone listed twice names both places") {
        CHECK(error_of(load_both(head + "  - c.test\n  - name: a.test\n")) ==
              "test.yml:7:11: zones[3].name: duplicate zone 'a.test' (first defined at 4:5); "
              "each zone may appear once");
    }
    SECTION("a nameserver listed twice in one zone names its first line") {
        CHECK(error_of(load_both(head + "  - name: c.test\n"
                                        "    nameservers:\n"
                                        "      - {name: ns1.c.test, addresses: [192.0.2.1]}\n"
                                        "      - {name: ns1.c.test, addresses: [192.0.2.2]}\n")) ==
              "test.yml:9:9: zones[2].nameservers[1]: nameserver 'ns1.c.test' is listed twice "
              "(first at line 8); list all its addresses in one entry");
    }
    SECTION("a key repeated in one zone names its first line") {
        CHECK(error_of(load_both(head + "  - name: c.test\n\n    name: d.test\n")) ==
              "test.yml:8:5: duplicate key 'name' in zones[2] (first at line 6); each key may "
              "appear once");
    }
    SECTION("an unknown key in the 3rd zone") {
        CHECK(error_of(load_both(head + "  - name: c.test\n    nameserver: []\n")) ==
              "test.yml:7:5: unknown key 'nameserver' in zones[2]: did you mean 'nameservers'? "
              "(allowed keys: name, primary, watch, nameservers, thresholds, reference)");
    }
    SECTION("an error after the list is still reported at its own line") {
        CHECK(error_of(load_both(head + "storage:\n  raw_retention: forever\n")) ==
              "test.yml:7:18: storage.raw_retention: bad duration 'forever': expected a whole "
              "number followed by a unit (ms, s, m, h, d), e.g. 500ms, 2s, 5m, 1h30m; a bare "
              "number means seconds");
    }
}

TEST_CASE("zone cut: a syntax error anywhere wins over a zone's mistake, as in one tree",
          "[config][zone_cut]") {
    SECTION("in a later zone") {
        const std::string yaml =
            "zones:\n  - name: a.test\n  - name: 'bad name'\n  - b.test\n  - name: [c.test\n";
        CHECK(error_of(load_both(yaml)).rfind("test.yml:", 0) == 0);
        CHECK(error_of(load_both(yaml)).find("YAML syntax error") != std::string::npos);
    }
    SECTION("in a section after the list") {
        const std::string yaml = "zones:\n  - 'bad name'\n  - b.test\nstorage: {path: [\n";
        CHECK(error_of(load_both(yaml)).find("YAML syntax error") != std::string::npos);
    }
}

TEST_CASE("zone cut: lists the cut cannot be sure of are parsed whole, with the same result",
          "[config][zone_cut]") {
    const std::string anchors =
        "zones:\n"
        "  - name: a.test\n"
        "    nameservers: &servers [{name: ns1.x.test, addresses: [192.0.2.1]}]\n"
        "  - name: b.test\n"
        "    nameservers: *servers\n";
    const std::string merge = "zones:\n  - &zone {name: a.test}\n  - <<: *zone\n    name: b.test\n";
    const std::string flow = "zones: [a.test, {name: b.test}]\n";
    const std::string tagged = "zones:\n  - !!str a.test\n";
    const std::string tab = "zones:\n  - name: a.test\n    primary:\tns1.a.test\n";
    const std::string empty_item = "zones:\n  -\n  - b.test\n";
    const std::string two_documents = "zones:\n  - a.test\n---\nzones:\n  - b.test\n";
    for (const std::string* yaml : {&anchors, &merge, &flow, &tagged, &tab, &two_documents}) {
        CAPTURE(*yaml);
        CHECK(items_cut(*yaml) == 0);
        load_both(*yaml);
    }
    const LoadOutcome shared = load_both(anchors);
    CHECK(config_of(shared).zones[1].nameservers.get().front().name == "ns1.x.test");
    CHECK(error_of(load_both(two_documents)) ==
          "test.yml:3:1: only one YAML document is allowed; remove the second '---' and what "
          "follows");
    // An empty item is cut, then found empty: the whole document reports it at the list.
    CHECK(items_cut(empty_item) == 2);
    CHECK(error_of(load_both(empty_item)).rfind("test.yml:2:3: zones[0]: ", 0) == 0);
}

TEST_CASE("zone cut: list shapes and line endings", "[config][zone_cut]") {
    SECTION("items at column 0, the last key without a final newline") {
        const std::string yaml = "zones:\n- a.test\n- name: b.test\n  primary: ns1.b.test";
        CHECK(items_cut(yaml) == 2);
        CHECK(config_of(load_both(yaml)).zones[1].primary == "ns1.b.test");
    }
    SECTION("Windows line endings") {
        const std::string yaml =
            "zones:\r\n  - a.test\r\n  - name: b.test\r\n    primary: ns1.b.test\r\n"
            "http:\r\n  listen: 127.0.0.1:9999\r\n";
        CHECK(items_cut(yaml) == 2);
        CHECK(config_of(load_both(yaml)).http.listen.size() == 1);
    }
    SECTION("a flow list spread over lines inside an item") {
        const std::string yaml =
            "zones:\n  - name: a.test\n    nameservers: [\n      {name: ns1.a.test,\n"
            "       addresses: [192.0.2.1]}\n    ]\n  - b.test\n";
        CHECK(items_cut(yaml) == 2);
        CHECK(config_of(load_both(yaml)).zones[0].nameservers.get().size() == 1);
    }
    SECTION("a closing bracket at column 0 is not taken for the next key") {
        const std::string yaml =
            "zones:\n  - name: a.test\n    nameservers: [{name: ns1.a.test,\n"
            " addresses: [192.0.2.1]}\n]\n";
        load_both(yaml);
    }
    SECTION("the same zones list in a fragment-sized config with nothing else") {
        std::string yaml = "zones:\n";
        for (int i = 0; i < 300; ++i) yaml += "  - z" + std::to_string(i) + ".test\n";
        CHECK(items_cut(yaml) == 300);
        CHECK(config_of(load_both(yaml)).zones.size() == 300);
    }
}

TEST_CASE("zone cut: every example and test config loads the same both ways",
          "[config][zone_cut]") {
    namespace fs = std::filesystem;
    const fs::path config_dir = fs::path(NSWATCH_SOURCE_DIR) / "config";
    std::vector<fs::path> files{config_dir / "example.yml", config_dir / "lab.yml"};
    for (const auto& entry : fs::directory_iterator(config_dir / "testdata")) {
        if (entry.path().extension() == ".yml") files.push_back(entry.path());
    }
    size_t cut = 0;
    for (const fs::path& path : files) {
        CAPTURE(path.string());
        std::ostringstream text;
        text << std::ifstream(path).rdbuf();
        cut += items_cut(text.str()) > 0;
        load_both(text.str(), path.string(), path.parent_path());
    }
    CHECK(files.size() > 80);
    CHECK(cut > 15);  // the ones that list zones in a block list
}
