// zones[].reference: a zone file (relative to the config's directory) or a hidden primary with a
// TSIG key, its period and options; every mistake named with its line.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string error_of(const std::string& yaml) {
    try {
        load_config_string(yaml, "test.yml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL_CHECK("no ConfigError thrown");
    return "";
}

}  // namespace

TEST_CASE("reference: a zone file, resolved against the config's directory", "[reference]") {
    const fs::path dir =
        fs::temp_directory_path() / ("nswatch-ref-config-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "shop.test.zone") << "@ 300 IN SOA ns1 host 1 2 3 4 5\n";
    std::ofstream(dir / "nswatch.yml")
        << "zones:\n  - name: shop.test\n    reference: {file: shop.test.zone, every: 2h, "
           "compare_ttl: true, negative_per_round: 4}\n  - other.test\n";
    const Config c = load_config_file((dir / "nswatch.yml").string());
    REQUIRE(c.zones[0].reference);
    CHECK(c.zones[0].reference->file == (dir / "shop.test.zone").string());
    CHECK(c.zones[0].reference->every == 2h);
    CHECK(c.zones[0].reference->compare_ttl);
    CHECK(c.zones[0].reference->negative_per_round == 4);
    CHECK_FALSE(c.zones[1].reference);
    fs::remove_all(dir);
}

TEST_CASE("reference: a hidden primary with a TSIG key", "[reference]") {
    const Config c = load_config_string(
        "keys:\n  - {name: xfr-key, algorithm: hmac-sha256, secret: "
        "\"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\"}\n"
        "zones:\n  - name: shop.test\n    reference: {primary: 127.53.1.1, port: 5353, key: "
        "xfr-key}\n",
        "test.yml");
    REQUIRE(c.zones[0].reference);
    const auto& r = *c.zones[0].reference;
    CHECK(r.primary.server == "127.53.1.1");
    CHECK(r.primary.port == 5353);
    CHECK(r.primary.key == "xfr-key");
    CHECK(r.every == 1h);
    CHECK_FALSE(r.compare_ttl);
    CHECK(r.negative_per_round == 2);
}

TEST_CASE("reference: mistakes named", "[reference]") {
    CHECK_THAT(error_of("zones:\n  - name: shop.test\n    reference: {every: 1h}\n"),
               Catch::StartsWith("test.yml:3:16: zones[0].reference: ") &&
                   Catch::Contains("exactly one of 'file'"));
    CHECK_THAT(error_of("zones:\n  - name: shop.test\n    reference: {file: /nonexistent.zone}\n"),
               Catch::Contains("zone file '/nonexistent.zone' does not exist"));
    CHECK_THAT(error_of("zones:\n  - name: shop.test\n    reference: {primary: ns1.test}\n"),
               Catch::Contains("'ns1.test' is not an IP address"));
    CHECK_THAT(
        error_of("zones:\n  - name: shop.test\n    reference: {primary: 127.0.0.1, key: nope}\n"),
        Catch::Contains("no key named 'nope'"));
    CHECK_THAT(error_of("zones:\n  - name: shop.test\n    reference: {primary: 127.0.0.1, every: "
                        "10s}\n"),
               Catch::Contains("every"));
}
