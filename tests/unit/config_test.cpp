// Tests for config/: the loader, its error messages and positions, and the name/duration helpers.
// Bad-config cases are data: config/testdata/invalid-*.yml, one mistake each, with the expected
// message phrase ("# expect:") and position ("# at: LINE:COLUMN") in their first lines.
#include "config/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/preflight.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const fs::path kSourceDir = NSWATCH_SOURCE_DIR;

constexpr uint16_t kA = 1, kNS = 2, kSOA = 6, kMX = 15, kTXT = 16, kAAAA = 28;

// The message of the ConfigError `load` throws, or "" (and a failed check) when none is thrown.
template <typename F>
std::string error_of(F&& load) {
    try {
        load();
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL_CHECK("no ConfigError thrown");
    return "";
}

std::string error_of_yaml(const std::string& yaml) {
    return error_of([&] { load_config_string(yaml, "test.yml"); });
}

// The text after "# KEY: " on one of the file's leading comment lines, or "".
std::string header_value(const fs::path& path, const std::string& key) {
    std::ifstream in(path);
    std::string line;
    const std::string prefix = "# " + key + ": ";
    while (std::getline(in, line) && line.rfind("#", 0) == 0) {
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    }
    return "";
}

// A fresh scratch directory under the system temp dir, removed at scope exit.
struct ScratchDir {
    fs::path path;
    ScratchDir() {
        path = fs::temp_directory_path() / ("nswatch-config-test-" + std::to_string(::getpid()) +
                                            "-" + std::to_string(counter()++));
        fs::create_directories(path);
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    static int& counter() {
        static int n = 0;
        return n;
    }
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return path / name;
    }
};

}  // namespace

TEST_CASE("config: every invalid-*.yml fails with FILE:LINE:COLUMN and its expected phrase",
          "[config]") {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(kSourceDir / "config" / "testdata")) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("invalid-", 0) == 0 && entry.path().extension() == ".yml") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 15);

    for (const auto& file : files) {
        DYNAMIC_SECTION(file.filename().string()) {
            const std::string expect = header_value(file, "expect");
            REQUIRE_FALSE(expect.empty());  // every file must say what it tests
            const std::string message = error_of([&] { load_config_file(file.string()); });
            INFO(message);
            // FILE:LINE:COLUMN: with the path exactly as given, so editors can jump to it.
            const std::string prefix = file.string() + ":";
            REQUIRE(message.rfind(prefix, 0) == 0);
            // Then LINE:COLUMN: (no std::regex: GCC 12 warns inside it under the sanitizers).
            std::istringstream rest(message.substr(prefix.size()));
            int line = 0, column = 0;
            char colon1 = 0, colon2 = 0, space = 0;
            rest >> line >> colon1 >> column >> std::noskipws >> colon2 >> space;
            REQUIRE(rest);
            CHECK((colon1 == ':' && colon2 == ':' && space == ' '));
            CHECK(line >= 1);
            CHECK(column >= 1);
            CHECK_THAT(message, Catch::Contains(expect));
            const std::string at = header_value(file, "at");
            if (!at.empty()) CHECK(std::to_string(line) + ":" + std::to_string(column) == at);
        }
    }
}

TEST_CASE("config: ConfigError carries its parts", "[config]") {
    try {
        load_config_string("probe:\n  timeout: 2x\n", "inline");
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK(e.source() == "inline");
        CHECK(e.line() == 2);
        CHECK(e.column() == 12);
        CHECK(e.message().rfind("probe.timeout: bad duration '2x'", 0) == 0);
        CHECK(std::string(e.what()) == "inline:2:12: " + e.message());
    }
    // A file that cannot be read has no position to give.
    const std::string missing = (kSourceDir / "config" / "testdata" / "no-such-file.yml").string();
    const std::string message = error_of([&] { load_config_file(missing); });
    CHECK(message.rfind(missing + ": cannot read the configuration file", 0) == 0);
}

TEST_CASE("config: defaults, in code and from an empty file", "[config]") {
    const Config c;
    CHECK(c.root_hints.empty());
    REQUIRE(c.vantages.size() == 1);
    CHECK(c.vantages[0].name == "default");
    CHECK(c.vantages[0].source_ipv4.empty());
    CHECK(c.vantages[0].source_ipv6.empty());
    CHECK(c.vantages[0].interface.empty());
    CHECK(c.default_vantage == "default");
    CHECK(c.get_default_vantage().name == "default");
    CHECK(c.probe.timeout == 2s);
    CHECK(c.probe.interval == 60s);
    CHECK(c.probe.jitter == Approx(0.1));
    CHECK(c.probe.tcp_every == 5);
    CHECK(c.probe.answers_every == 5);
    CHECK(c.probe.edns);
    CHECK(c.probe.edns_buffer_size == 1232);
    CHECK(c.probe.nsid);
    CHECK_FALSE(c.probe.dnssec_ok);
    CHECK(c.probe.ipv6);
    CHECK(c.discovery.interval == 1h);
    CHECK(c.discovery.timeout == 1500ms);
    CHECK(c.providers.empty());
    CHECK(c.zones.empty());
    CHECK(c.thresholds.serial_lag_warning == 5min);
    CHECK(c.thresholds.serial_lag_critical == 1h);
    CHECK(c.thresholds.rtt_warning == 500ms);

    for (const std::string yaml : {"", "# only a comment\n", "{}\n", "zones: []\n"}) {
        const Config loaded = load_config_string(yaml, "empty.yml");
        CHECK(loaded.source == "empty.yml");
        CHECK(loaded.vantages.size() == 1);
        CHECK(loaded.probe == c.probe);
        CHECK(loaded.discovery == c.discovery);
        CHECK(loaded.thresholds == c.thresholds);
        CHECK(loaded.zones.empty());
    }

    // A zone built in code (the CLI's zones from the command line) watches the default apex set.
    ZoneConfig z;
    z.name = "shop.test";
    REQUIRE(z.watch.size() == 1);
    CHECK(z.watch[0].name == "@");
    CHECK(z.watch[0].types == std::vector<uint16_t>{kSOA, kNS, kA, kAAAA, kMX, kTXT});
    CHECK(z.watch[0].owner(z.name) == "shop.test");
    CHECK(z.nameservers.empty());
    CHECK(z.primary.empty());
}

TEST_CASE("config: require_zones is the daemon's choice", "[config]") {
    LoadOptions daemon;
    daemon.require_zones = true;
    CHECK(error_of([&] { load_config_string("", "d.yml", daemon); }) ==
          "d.yml:1:1: no zones: add a 'zones' list with at least one zone");
    CHECK(error_of([&] {
              load_config_string("probe:\n  timeout: 1s\n", "d.yml", daemon);
          }).rfind("d.yml:1:1: no zones", 0) == 0);
    CHECK(error_of([&] {
              load_config_string("zones: []\n", "d.yml", daemon);
          }).rfind("d.yml:1:8: zones: no zones", 0) == 0);
    CHECK(load_config_string("zones: [shop.test]\n", "d.yml", daemon).zones.size() == 1);
}

TEST_CASE("config: every field parsed", "[config]") {
    ScratchDir dir;
    dir.write("root.hints", ".  3600000  NS  a.root.test.\n");
    const fs::path file = dir.write("full.yml", R"(
root_hints: root.hints
vantages:
  - name: fra1
    source_ipv4: 192.0.2.10
    source_ipv6: 2001:DB8:0:0::10
    interface: eth0
  - name: ams1
default_vantage: ams1
probe:
  timeout: 1500ms
  interval: 2m
  jitter: 25%
  tcp_every: 1
  answers_every: 2
  edns: true
  edns_buffer_size: 4096
  nsid: false
  dnssec_ok: yes
  ipv6: false
discovery:
  interval: 2h
  timeout: 3s
providers:
  - name: alpha
    patterns: ["*.Alpha-DNS.test.", "ns?.alpha.example"]
  - name: beta
    patterns: ["*.beta-dns.test"]
thresholds:
  serial_lag_warning: 10m
  serial_lag_critical: 2h
  rtt_warning: 250ms
zones:
  - name: Shop.Test.
    primary: NS1.alpha-dns.test.
    watch:
      - { name: www, types: [A, aaaa, A] }
      - { name: "@", types: [SOA, DNSKEY] }
      - mail
      - { name: _443._tcp.www.shop.test., types: [TLSA] }
      - { name: "*.cdn", types: [CNAME] }
    nameservers:
      - name: ns1.alpha-dns.test
        addresses: [127.53.1.1, "FD00:53:0::1:1"]
        provider: alpha
      - name: ns1.beta-dns.test
        addresses: [127.53.2.1]
        port: 5353
    thresholds:
      serial_lag_warning: 1m
  - other.test
)");
    const Config c = load_config_file(file.string());
    CHECK(c.source == file.string());
    CHECK(c.root_hints == (dir.path / "root.hints").lexically_normal().string());

    REQUIRE(c.vantages.size() == 2);
    CHECK(c.vantages[0].name == "fra1");
    CHECK(c.vantages[0].source_ipv4 == "192.0.2.10");
    CHECK(c.vantages[0].source_ipv6 == "2001:db8::10");  // canonical form
    CHECK(c.vantages[0].interface == "eth0");
    CHECK(c.vantages[1].name == "ams1");
    CHECK(c.vantages[1].source_ipv4.empty());
    CHECK(c.default_vantage == "ams1");
    CHECK(c.get_default_vantage().name == "ams1");
    CHECK(c.find_vantage("fra1") == &c.vantages[0]);
    CHECK(c.find_vantage("nope") == nullptr);

    CHECK(c.probe.timeout == 1500ms);
    CHECK(c.probe.interval == 2min);
    CHECK(c.probe.jitter == Approx(0.25));
    CHECK(c.probe.tcp_every == 1);
    CHECK(c.probe.answers_every == 2);
    CHECK(c.probe.edns);
    CHECK(c.probe.edns_buffer_size == 4096);
    CHECK_FALSE(c.probe.nsid);
    CHECK(c.probe.dnssec_ok);
    CHECK_FALSE(c.probe.ipv6);
    CHECK(c.discovery.interval == 2h);
    CHECK(c.discovery.timeout == 3s);

    REQUIRE(c.providers.size() == 2);
    CHECK(c.providers[0] == ProviderConfig{"alpha", {"*.alpha-dns.test", "ns?.alpha.example"}});
    CHECK(c.providers[1] == ProviderConfig{"beta", {"*.beta-dns.test"}});

    CHECK(c.thresholds == Thresholds{10min, 2h, 250ms});

    REQUIRE(c.zones.size() == 2);
    const ZoneConfig& z = c.zones[0];
    CHECK(z.name == "shop.test");
    CHECK(z.primary == "ns1.alpha-dns.test");
    // The explicit apex entry replaces the default one and stays first; the rest keep their order.
    REQUIRE(z.watch.size() == 5);
    CHECK(z.watch[0] == WatchName{"@", {kSOA, 48}});
    CHECK(z.watch[1] == WatchName{"www", {kA, kAAAA}});   // duplicate A dropped
    CHECK(z.watch[2] == WatchName{"mail", {kA, kAAAA}});  // shorthand
    CHECK(z.watch[3] == WatchName{"_443._tcp.www", {52}});
    CHECK(z.watch[3].owner(z.name) == "_443._tcp.www.shop.test");
    CHECK(z.watch[4] == WatchName{"*.cdn", {5}});
    REQUIRE(z.nameservers.size() == 2);
    CHECK(z.nameservers[0] ==
          StaticNameserver{"ns1.alpha-dns.test", {"127.53.1.1", "fd00:53::1:1"}, "alpha", 53});
    CHECK(z.nameservers[1] == StaticNameserver{"ns1.beta-dns.test", {"127.53.2.1"}, "", 5353});
    CHECK(z.thresholds.serial_lag_warning == 1min);
    CHECK_FALSE(z.thresholds.serial_lag_critical.has_value());
    CHECK(c.thresholds_for(z) == Thresholds{1min, 2h, 250ms});

    const ZoneConfig& other = c.zones[1];
    CHECK(other.name == "other.test");
    CHECK(other.watch == default_watch());
    CHECK(other.nameservers.empty());
    CHECK(c.thresholds_for(other) == c.thresholds);

    CHECK(c.find_zone("SHOP.test.") == &c.zones[0]);
    CHECK(c.find_zone("missing.test") == nullptr);
}

TEST_CASE("config: vantages default to the first, edns off turns nsid off", "[config]") {
    const Config c = load_config_string(R"(
vantages:
  - name: fra1
  - name: ams1
probe:
  edns: false
)",
                                        "v.yml");
    CHECK(c.default_vantage == "fra1");
    CHECK_FALSE(c.probe.edns);
    CHECK_FALSE(c.probe.nsid);  // the default would ask for something that cannot be sent
    CHECK_FALSE(c.probe.dnssec_ok);
}

TEST_CASE("config: jitter as a percentage or a fraction", "[config]") {
    auto jitter = [](const std::string& text) {
        return load_config_string("probe:\n  jitter: " + text + "\n", "j.yml").probe.jitter;
    };
    CHECK(jitter("0%") == Approx(0.0));
    CHECK(jitter("10%") == Approx(0.1));
    CHECK(jitter("12.5%") == Approx(0.125));
    CHECK(jitter("100%") == Approx(1.0));
    CHECK(jitter("0.3") == Approx(0.3));
    CHECK(jitter("0") == Approx(0.0));
    CHECK_THROWS_AS(jitter("10"), ConfigError);  // ten times the interval is surely a slip
    CHECK_THROWS_AS(jitter("-5%"), ConfigError);
    CHECK_THROWS_AS(jitter("ten"), ConfigError);
    CHECK_THROWS_AS(jitter("%"), ConfigError);
    CHECK_THROWS_AS(jitter("nan"), ConfigError);
}

TEST_CASE("config: durations", "[config][duration]") {
    CHECK(parse_duration("500ms") == 500ms);
    CHECK(parse_duration("2s") == 2s);
    CHECK(parse_duration("5m") == 5min);
    CHECK(parse_duration("1h") == 1h);
    CHECK(parse_duration("7d") == 7 * 24h);
    CHECK(parse_duration("1h30m") == 90min);
    CHECK(parse_duration("1d2h3m4s5ms") == 24h + 2h + 3min + 4s + 5ms);
    CHECK(parse_duration("60") == 60s);  // a bare number is seconds
    CHECK(parse_duration("0") == 0ms);
    CHECK(parse_duration("0s") == 0ms);
    CHECK(parse_duration("+3s") == 3s);

    for (const char* bad : {"", "s", "2x", "2 s", "1.5s", "2S", "-1s", "-5", "1m1h", "1s1s", "1h30",
                            "ms5", "10ns", "2s ", "99999999999999999999d"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_duration(bad), std::invalid_argument);
    }
    CHECK_THROWS_WITH(parse_duration("-1s"), "durations cannot be negative");
    CHECK_THROWS_WITH(parse_duration("1.5s"), Catch::Contains("fractions are not supported"));
    CHECK_THROWS_WITH(parse_duration("1m1h"), Catch::Contains("largest to smallest"));
    CHECK_THROWS_WITH(parse_duration("10ns"), Catch::Contains("unknown unit 'ns'"));

    CHECK(format_duration(0ms) == "0s");
    CHECK(format_duration(1500ms) == "1500ms");
    CHECK(format_duration(2s) == "2s");
    CHECK(format_duration(90min) == "1h30m");
    CHECK(format_duration(7 * 24h) == "7d");
    CHECK(format_duration(24h + 1s) == "1d1s");
    for (std::chrono::milliseconds d : {0ms, 1ms, 999ms, 1000ms, 61000ms, 86399000ms, 86400001ms}) {
        CHECK(parse_duration(format_duration(d)) == d);
    }

    // In the file, durations range-check with their field's limits.
    CHECK_THAT(error_of_yaml("probe:\n  timeout: 2m\n"),
               Catch::Contains("2m is too long: must be at most 1m"));
    CHECK_THAT(error_of_yaml("probe:\n  interval: 500ms\n"),
               Catch::Contains("500ms is too short: must be at least 1s"));
    CHECK(load_config_string("thresholds:\n  serial_lag_warning: 0s\n", "t.yml")
              .thresholds.serial_lag_warning == 0ms);
}

TEST_CASE("config: domain names, IP literals and RR types", "[config]") {
    std::string why;
    CHECK(normalize_domain_name("Shop.TEST.", &why) == "shop.test");
    CHECK(normalize_domain_name("xn--bcher-kva.test", &why) == "xn--bcher-kva.test");
    CHECK(normalize_domain_name("_dmarc.shop.test", &why) == "_dmarc.shop.test");
    CHECK(normalize_domain_name("test", &why) == "test");
    CHECK(normalize_domain_name("*.shop.test", &why, true) == "*.shop.test");
    CHECK_FALSE(normalize_domain_name("*.shop.test", &why));
    CHECK_FALSE(normalize_domain_name("a.*.shop.test", &why, true));
    CHECK_FALSE(normalize_domain_name(".", &why));
    CHECK_FALSE(normalize_domain_name("", &why));
    CHECK_FALSE(normalize_domain_name("shop..test", &why));
    CHECK_FALSE(normalize_domain_name(".shop.test", &why));
    CHECK_FALSE(normalize_domain_name("-shop.test", &why));
    CHECK_FALSE(normalize_domain_name("shop-.test", &why));
    CHECK_FALSE(normalize_domain_name("sh op.test", &why));
    CHECK_FALSE(normalize_domain_name("shop.test/24", &why));
    CHECK_FALSE(normalize_domain_name(std::string(64, 'a') + ".test", &why));
    CHECK(why.find("longer than 63") != std::string::npos);
    CHECK(normalize_domain_name(std::string(63, 'a') + ".test", &why));
    std::string long_name;
    for (int i = 0; i < 5; ++i) long_name += std::string(50, 'a') + ".";
    CHECK_FALSE(normalize_domain_name(long_name + "test", &why));  // 259 characters
    CHECK(why.find("253") != std::string::npos);

    CHECK(normalize_ip_literal("127.53.1.1") == "127.53.1.1");
    CHECK(normalize_ip_literal("FD00:53:0:0::1:1") == "fd00:53::1:1");
    CHECK(normalize_ip_literal("::ffff:192.0.2.1") == "::ffff:192.0.2.1");
    CHECK_FALSE(normalize_ip_literal("127.53.1.256"));
    CHECK_FALSE(normalize_ip_literal("127.1"));
    CHECK_FALSE(normalize_ip_literal("fd00::53::1"));
    CHECK_FALSE(normalize_ip_literal("fe80::1%eth0"));
    CHECK_FALSE(normalize_ip_literal("192.0.2.1", 6));
    CHECK_FALSE(normalize_ip_literal("2001:db8::1", 4));

    CHECK(watch_type_from_name("AAAA") == kAAAA);
    CHECK(watch_type_from_name("https") == 65);
    CHECK(watch_type_from_name("CAA") == 257);
    CHECK_FALSE(watch_type_from_name("AXFR"));
    CHECK(watch_type_names().size() == 16);
    for (auto name : watch_type_names()) {
        auto type = watch_type_from_name(name);
        REQUIRE(type);
        CHECK(watch_type_name(*type) == name);
    }
    CHECK(watch_type_name(99) == "TYPE99");

    CHECK(closest_match("timout", {"timeout", "interval"}) == "timeout");
    CHECK(closest_match("zone", {"zones", "probe"}) == "zones");
    CHECK_FALSE(closest_match("ns", {"nsid", "ipv6"}));
    CHECK_FALSE(closest_match("colour", {"timeout", "interval"}));
}

TEST_CASE("config: watched names", "[config]") {
    auto watch_of = [](const std::string& entry) {
        return load_config_string(
                   "zones:\n  - name: shop.test\n    watch:\n      - " + entry + "\n", "w.yml")
            .zones.at(0)
            .watch;
    };
    // Names ending in the zone are absolute even without the trailing dot: nobody means
    // www.shop.test.shop.test.
    CHECK(watch_of("{ name: www.shop.test, types: [A] }").at(1).name == "www");
    CHECK(watch_of("{ name: WWW.shop.test., types: [A] }").at(1).name == "www");
    CHECK(watch_of("{ name: shop.test., types: [A] }").at(0) == WatchName{"@", {kA}});
    CHECK(watch_of("\"@\"").at(0) == default_watch().at(0));
    CHECK(watch_of("{ name: www }").at(1) == WatchName{"www", {kA, kAAAA}});
    CHECK_THAT(error_of_yaml("zones:\n  - name: shop.test\n    watch:\n      - { name: www, "
                             "types: [] }\n"),
               Catch::Contains("name at least one RR type"));
}

TEST_CASE("config: relative root_hints follow the config file", "[config]") {
    ScratchDir dir;
    fs::create_directories(dir.path / "etc");
    dir.write("root.hints", ".  3600000  NS  a.root.test.\n");
    const fs::path file = dir.write("etc/nswatch.yml", "root_hints: ../root.hints\n");
    CHECK(load_config_file(file.string()).root_hints ==
          (dir.path / "root.hints").lexically_normal().string());
    const fs::path absolute =
        dir.write("abs.yml", "root_hints: " + (dir.path / "root.hints").string() + "\n");
    CHECK(load_config_file(absolute.string()).root_hints == (dir.path / "root.hints").string());
    const fs::path dir_hints = dir.write("dir.yml", "root_hints: etc\n");
    CHECK_THAT(error_of([&] { load_config_file(dir_hints.string()); }),
               Catch::Contains("is not a regular file"));
}

TEST_CASE("config: storage and http sections", "[config]") {
    ScratchDir dir;
    fs::create_directories(dir.path / "etc");
    const fs::path file =
        dir.write("etc/nswatch.yml",
                  "storage:\n  path: history.db\n  raw_retention: 72h\n"
                  "http:\n  listen: '[::1]:9200'\n  rtt_buckets: [0.01, 0.1, 1]\n");
    const Config c = load_config_file(file.string());
    CHECK(c.storage.path == (dir.path / "etc" / "history.db").string());
    CHECK(c.storage.raw_retention == std::chrono::hours(72));
    CHECK(c.storage.minute_retention == std::chrono::hours(24 * 30));
    CHECK(c.http.listen == std::vector<std::string>{"[::1]:9200"});
    CHECK(c.http.rtt_buckets == std::vector<double>{0.01, 0.1, 1});
    CHECK(Config{}.http.listen == std::vector<std::string>{"127.0.0.1:10053"});
    CHECK(Config{}.storage.path.empty());
    CHECK_THAT(error_of_yaml("http:\n  rtt_buckets: [1, 0.5]\n"), Catch::Contains("increasing"));
}

TEST_CASE("config: http listen list and connection limits", "[config]") {
    const Config c = load_config_string(
        "http:\n  listen: [127.0.0.1:10053, '[::1]:10053']\n  max_connections: 2000\n"
        "  max_connections_per_client: 64\n  header_timeout: 3s\n  idle_timeout: 30s\n"
        "  write_timeout: 2m\n",
        "test.yml");
    CHECK(c.http.listen == std::vector<std::string>{"127.0.0.1:10053", "[::1]:10053"});
    CHECK(c.http.max_connections == 2000);
    CHECK(c.http.max_connections_per_client == 64);
    CHECK(c.http.header_timeout == 3s);
    CHECK(c.http.idle_timeout == 30s);
    CHECK(c.http.write_timeout == 120s);
    const HttpSettings defaults;
    CHECK(defaults.max_connections == 512);
    CHECK(defaults.max_connections_per_client == 32);
    CHECK(defaults.header_timeout == 5s);
    // A smaller total takes the default per-client cap down with it.
    CHECK(
        load_config_string("http:\n  max_connections: 10\n", "t").http.max_connections_per_client ==
        10);
    CHECK_THAT(error_of_yaml("http:\n  listen: []\n"),
               Catch::Contains("http.listen: the list is empty"));
    CHECK_THAT(error_of_yaml("http:\n  listen: [127.0.0.1:10053, 127.0.0.1:10053]\n"),
               Catch::Contains("http.listen[1]: '127.0.0.1:10053' is listed twice"));
    CHECK_THAT(error_of_yaml("http:\n  listen: ['127.0.0.1:1,127.0.0.1:2']\n"),
               Catch::Contains("http.listen[0]: '127.0.0.1:1,127.0.0.1:2' is several addresses"));
}

TEST_CASE("config: diff section", "[config]") {
    const std::string providers =
        "providers:\n"
        "  - {name: alpha, patterns: ['*.alpha-dns.test'], transfer: {server: 192.0.2.1}}\n"
        "  - {name: beta, patterns: ['*.beta-dns.test'], transfer: {server: 192.0.2.2}}\n";
    // Off by default, and with interval 0.
    CHECK_FALSE(Config{}.diff.enabled());
    CHECK(Config{}.diff.timeout == 10s);
    CHECK_FALSE(load_config_string(providers, "t.yml").diff.enabled());
    CHECK_FALSE(load_config_string(providers + "diff: {interval: 0s}\n", "t.yml").diff.enabled());
    // Without providers an interval of 0 is fine: nothing to compare, nothing asked.
    CHECK_FALSE(load_config_string("diff: {interval: 0s}\n", "t.yml").diff.enabled());

    const Config c =
        load_config_string(providers + "diff: {interval: 1h, timeout: 30s}\n", "t.yml");
    CHECK(c.diff.enabled());
    CHECK(c.diff.interval == 1h);
    CHECK(c.diff.timeout == 30s);
    CHECK(c.diff.ixfr);  // on by default
    CHECK_FALSE(
        load_config_string(providers + "diff: {interval: 1h, ixfr: false}\n", "t.yml").diff.ixfr);
    CHECK_THAT(error_of_yaml(providers + "diff: {interval: 1h, ixfr: maybe}\n"),
               Catch::Contains("diff.ixfr"));

    CHECK_THAT(error_of_yaml(providers + "diff: {interval: 500ms}\n"),
               Catch::Contains("test.yml:4:18: diff.interval: must be at least 1s"));
    CHECK_THAT(error_of_yaml(providers + "diff: {interval: 1h, timeout: 0s}\n"),
               Catch::Contains("diff.timeout: 0s is too short"));
    CHECK_THAT(error_of_yaml(providers + "diff: {interval: 8d}\n"),
               Catch::Contains("diff.interval: 8d is too long: must be at most 7d"));
    CHECK_THAT(error_of_yaml("diff: {interval: 1h}\n"),
               Catch::Contains("test.yml:1:18: diff.interval: the scheduled diff needs at least "
                               "two providers with transfer: settings"));
    CHECK_THAT(error_of_yaml(providers + "diff: [1h]\n"), Catch::Contains("diff: expected a map"));
}

TEST_CASE("config: unknown top-level keys list the allowed ones", "[config]") {
    CHECK_THAT(error_of_yaml("colour: blue\n"),
               Catch::Contains("allowed keys: root_hints, vantages, default_vantage, probe, "
                               "discovery, providers, zones, zones_from, shard, thresholds, "
                               "storage, http, alerts, resolvers, keys, notify, propagation, "
                               "audit, diff"));
    CHECK_THAT(error_of_yaml("Zones: []\n"),
               Catch::Contains("did you mean 'zones'? (keys are lower case)"));
    CHECK_THAT(error_of_yaml("colour: blue\n"), !Catch::Contains("did you mean"));
    CHECK_THAT(error_of_yaml("<<: {}\n"), Catch::Contains("merge keys"));
    CHECK(error_of_yaml("zones: {name: shop.test}\n")
              .rfind("test.yml:1:8: zones: expected a list, e.g. [{name: shop.test}], got a map",
                     0) == 0);
}

TEST_CASE("config: example.yml and lab.yml load", "[config]") {
    const Config example = load_config_file((kSourceDir / "config" / "example.yml").string());
    CHECK(example.root_hints.empty());
    CHECK(example.default_vantage == "default");
    REQUIRE(example.vantages.size() == 1);
    // It runs as shipped: no source address or interface this machine lacks.
    CHECK(preflight(example, false).empty());
    REQUIRE(example.providers.size() == 3);
    CHECK(example.providers[0].name == "alpha");
    REQUIRE(example.zones.size() == 1);
    const ZoneConfig& shop = example.zones[0];
    CHECK(shop.name == "shop.test");
    CHECK(shop.primary == "ns1.alpha-dns.test");
    CHECK(shop.nameservers.size() == 6);
    CHECK(shop.nameservers[0].addresses == std::vector<std::string>{"127.53.1.1", "fd00:53::1:1"});
    CHECK(example.thresholds_for(shop).serial_lag_warning == 10min);
    // The example shows every default explicitly: it must agree with the code's defaults.
    CHECK(example.probe == ProbeSettings{});
    CHECK(example.discovery == DiscoverySettings{});
    CHECK(example.thresholds == Thresholds{});

    const Config lab = load_config_file((kSourceDir / "config" / "lab.yml").string());
    CHECK(lab.root_hints.empty());  // the CLI passes --root-hints for the lab's run directory
    REQUIRE(lab.zones.size() == 1);
    CHECK(lab.zones[0].name == "shop.test");
    CHECK(lab.zones[0].primary == "ns1.alpha-dns.test");
    CHECK(lab.zones[0].nameservers.empty());  // discovered from the lab's root
    CHECK(lab.providers.size() == 3);
    CHECK(lab.probe.tcp_every == 1);
}

TEST_CASE("config: equal watch lists and nameserver lists of zones are one shared list",
          "[config]") {
    const Config c = load_config_string(R"(
zones:
  - name: a.test
    nameservers: [{ name: ns1.p.test, addresses: [127.0.0.1], provider: p }]
  - name: b.test
    nameservers: [{ name: ns1.p.test, addresses: [127.0.0.1], provider: p }]
    watch: [www]
  - name: c.test
    nameservers: [{ name: ns1.p.test, addresses: [127.0.0.2], provider: p }]
    watch: [www]
  - d.test
)",
                                        "s.yml");
    REQUIRE(c.zones.size() == 4);
    const auto& a = c.zones[0];
    const auto& b = c.zones[1];
    const auto& cz = c.zones[2];
    const auto& d = c.zones[3];
    CHECK(a.nameservers.shares(b.nameservers));
    CHECK_FALSE(a.nameservers.shares(cz.nameservers));  // another address
    CHECK(cz.nameservers[0].addresses == std::vector<std::string>{"127.0.0.2"});
    CHECK(b.watch.shares(cz.watch));
    CHECK(b.watch.size() == 2);
    CHECK(a.watch.shares(d.watch));  // the defaults: one list for every zone
    CHECK(d.watch == default_watch());
    // A copy shares; replacing a list leaves the others as they were.
    ZoneConfig copy = b;
    CHECK(copy.watch.shares(b.watch));
    copy.watch = {WatchName{"@", {kSOA}}};
    CHECK(copy.watch.size() == 1);
    CHECK(b.watch.size() == 2);
    CHECK_FALSE(copy == b);
}
