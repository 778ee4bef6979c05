// Tests for the loader's size and depth bounds (config/loader.cpp, config/yaml_fields.cpp): a
// huge value or a deeply nested document is refused quickly, with an error that names the problem
// and quotes at most the start of the value. The small cases are data in config/testdata
// (invalid-zone-name-over-255-octets, invalid-setting-too-long, invalid-nesting-too-deep); these
// are the ones too large to keep in the repository.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>

#include "config/config.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

using Steady = std::chrono::steady_clock;

struct Timed {
    std::string message;
    std::chrono::milliseconds took{0};
};

template <typename F>
Timed error_of(F&& load) {
    Timed out;
    const auto start = Steady::now();
    try {
        load();
        FAIL_CHECK("no ConfigError thrown");
    } catch (const ConfigError& e) {
        out.message = e.what();
    }
    out.took = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start);
    return out;
}

constexpr size_t k50MB = 50u << 20;

}  // namespace

TEST_CASE("config limits: a 50 MB zone name is refused at once, quoting only its start",
          "[config][limits]") {
    const std::string yaml = "zones:\n  - name: " + std::string(k50MB, 'a') + "\n";
    const std::string line_size = std::to_string(yaml.find('\n', 7) - 7);
    SECTION("from a string") {
        const Timed t = error_of([&] { load_config_string(yaml, "big.yml"); });
        INFO(t.message.substr(0, 400) << "\ntook " << t.took.count() << " ms");
        // A scan for line ends: the bound only leaves room for a loaded CI machine (parsing the
        // value took 18.7 s and 473 MB).
        CHECK(t.took < 3s);
        CHECK(t.message.size() < 400);
        CHECK(t.message ==
              "big.yml:2:1: line is " + line_size +
                  " bytes long, more than the 1048576 a configuration line may have (no setting "
                  "or name is that long): '  - name: " +
                  std::string(64 - 10, 'a') + "'... (" + line_size + " bytes)");
    }
    SECTION("from a file") {
        test::TempDir dir("nswatch-config-limits");
        const std::string path = dir.file("big.yml");
        std::ofstream(path) << yaml;
        const Timed t = error_of([&] { load_config_file(path); });
        INFO(t.message.substr(0, 400) << "\ntook " << t.took.count() << " ms");
        CHECK(t.took < 3s);
        CHECK(t.message.size() < 400 + path.size());
        CHECK(t.message.rfind(path + ":2:1: line is " + line_size + " bytes long", 0) == 0);
    }
}

TEST_CASE("config limits: a long value built from short lines is refused by the setting bound",
          "[config][limits]") {
    // A folded block scalar: 300 lines of 1000 characters become one 300 KB string.
    std::string yaml = "zones:\n  - name: >-\n";
    for (int i = 0; i < 300; ++i) yaml += "      " + std::string(1000, 'b') + "\n";
    const Timed t = error_of([&] { load_config_string(yaml, "folded.yml"); });
    INFO(t.message.substr(0, 400));
    CHECK(t.message.size() < 400);
    CHECK_THAT(t.message,
               Catch::StartsWith("folded.yml:2:11: zones[0].name: value is 300299 bytes, more "
                                 "than the 4096 a setting may have (expected zone name (a domain "
                                 "name)): '" +
                                 std::string(64, 'b') + "'... (300299 bytes)"));
}

TEST_CASE("config limits: 100,000 levels of nesting are called too deep, not a bad file",
          "[config][limits]") {
    const std::string yaml = "zones: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
    const Timed t = error_of([&] { load_config_string(yaml, "deep.yml"); });
    INFO(t.message.substr(0, 400));
    CHECK(t.took < 2s);
    CHECK_THAT(t.message, Catch::Contains("YAML nesting too deep: lists and maps nested inside "
                                          "each other beyond what the YAML parser follows"));
    CHECK_THAT(t.message, !Catch::Contains("bad file"));
    CHECK(t.message.size() < 400);
}

TEST_CASE("config limits: a file larger than 256 MiB is refused before it is read",
          "[config][limits]") {
    test::TempDir dir("nswatch-config-limits");
    const std::string path = dir.file("huge.yml");
    {
        // Sparse: the size is there without writing 256 MiB.
        std::ofstream out(path);
        out << "zones: [shop.test]\n";
        out.seekp((std::streamoff{256} << 20) + 1);
        out << '\n';
    }
    const Timed t = error_of([&] { load_config_file(path); });
    INFO(t.message);
    CHECK(t.took < 1s);
    CHECK(t.message == path + ": the configuration file is " +
                           std::to_string((size_t{256} << 20) + 2) +
                           " bytes, more than the 268435456 bytes nswatch reads");
}
