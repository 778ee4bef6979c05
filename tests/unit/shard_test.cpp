// Tests for config/shard: the hash (Prometheus hashmod on the zone name), its properties over
// many zones, the I/N option text, and the loader keeping one shard of the listed zones.
#include "config/shard.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "config/config.hpp"

using namespace nswatch;

namespace {

std::vector<std::string> zone_names(int n, const char* suffix = "example.test") {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
        char name[64];
        std::snprintf(name, sizeof name, "z%06d.%s", i, suffix);
        out.emplace_back(name);
    }
    return out;
}

std::string zones_yaml(const std::vector<std::string>& zones) {
    std::string yaml = "zones:\n";
    for (const auto& z : zones) yaml += "  - " + z + "\n";
    return yaml;
}

std::set<std::string> names_of(const Config& c) {
    std::set<std::string> out;
    for (const auto& z : c.zones) out.insert(z.name);
    return out;
}

// Restores the process-wide --shard when a test that sets it ends.
struct CommandLineShard {
    explicit CommandLineShard(ShardSettings s) { set_command_line_shard(s); }
    ~CommandLineShard() { set_command_line_shard(std::nullopt); }
};

}  // namespace

TEST_CASE("shard: the hash is MD5's last 8 bytes, big-endian, as Prometheus hashmod",
          "[config][shard]") {
    // printf %s shop.test | md5sum  ->  46fdc90552f5c17c2eda0e2074c85243
    CHECK(zone_shard_hash("shop.test") == 0x2eda0e2074c85243ULL);
    // From the shell recipe in CONFIGURATION.md ("shard"), which uses md5sum and bc.
    CHECK(shard_of("shop.test", 2) == 1);
    CHECK(shard_of("shop.test", 3) == 1);
    CHECK(shard_of("shop.test", 10) == 5);
    CHECK(shard_of("shop.test", 1000) == 715);
    CHECK(shard_of("example.com", 3) == 2);
    CHECK(shard_of("example.com", 1000) == 770);
    CHECK(shard_of("z000000.bench.test", 1000) == 75);
    // The bytes as given: the loader hashes the stored form, so spellings must not reach here.
    CHECK(zone_shard_hash("Shop.Test.") != zone_shard_hash("shop.test"));
}

TEST_CASE("shard: every zone is in exactly one shard of N, and shards are even",
          "[config][shard]") {
    const auto zones = zone_names(10000);
    for (uint32_t n : {1u, 2u, 3u, 7u, 16u}) {
        std::vector<size_t> per_shard(n);
        for (const auto& z : zones) {
            int shards = 0;
            for (uint32_t i = 0; i < n; ++i) {
                if (in_shard(z, {i, n})) {
                    ++shards;
                    ++per_shard[i];
                }
            }
            REQUIRE(shards == 1);
        }
        for (uint32_t i = 0; i < n; ++i) {
            INFO("shard " << i << " of " << n << ": " << per_shard[i] << " zones");
            // 10,000 zones: a binomial spread of a few percent around the mean.
            CHECK(per_shard[i] > 10000 / n * 0.85);
            CHECK(per_shard[i] < 10000 / n * 1.15 + 1);
        }
    }
}

TEST_CASE("shard: N to N+1 moves about N/(N+1) of the zones, N to 2N splits each shard in two",
          "[config][shard]") {
    const auto zones = zone_names(10000);
    for (uint32_t n : {2u, 4u, 9u}) {
        size_t moved = 0, moved_doubling = 0;
        for (const auto& z : zones) {
            const uint32_t before = shard_of(z, n);
            if (shard_of(z, n + 1) != before) ++moved;
            // Doubling: a zone of shard r goes to r or r + n, never to another old shard.
            const uint32_t doubled = shard_of(z, 2 * n);
            REQUIRE((doubled == before || doubled == before + n));
            if (doubled != before) ++moved_doubling;
        }
        const double expected = static_cast<double>(n) / (n + 1);
        INFO(n << " -> " << n + 1 << ": " << moved << " of 10000 moved");
        CHECK(moved / 10000.0 == Approx(expected).margin(0.03));
        INFO(n << " -> " << 2 * n << ": " << moved_doubling << " of 10000 moved");
        CHECK(moved_doubling / 10000.0 == Approx(0.5).margin(0.03));
    }
}

TEST_CASE("shard: I/N text", "[config][shard]") {
    std::string why;
    CHECK(parse_shard("0/1", &why) == ShardSettings{0, 1});
    CHECK(parse_shard("3/4", &why) == ShardSettings{3, 4});
    CHECK(parse_shard("999999/1000000", &why) == ShardSettings{999999, 1000000});

    CHECK_FALSE(parse_shard("4/4", &why));
    CHECK(why == "index 4 is not below the count 4: the shards of 4 are numbered 0 to 3");
    CHECK_FALSE(parse_shard("0/0", &why));
    CHECK(why == "the shard count must be between 1 and 1000000");
    CHECK_FALSE(parse_shard("0/1000001", &why));
    CHECK(why == "the shard count must be between 1 and 1000000");
    for (const char* bad : {"-1/4", "1.5/4", "1/4.0", "a/4", "1/", "/4", " 1/4", "1/4 ", "1//4"}) {
        INFO(bad);
        CHECK_FALSE(parse_shard(bad, &why));
        CHECK(why ==
              "expected INDEX/COUNT with whole numbers, e.g. 0/4 (shards are numbered from 0)");
    }
    CHECK_FALSE(parse_shard("1", &why));
    CHECK(why == "expected INDEX/COUNT, e.g. 0/4 (shards are numbered from 0)");
}

TEST_CASE("shard: the loader keeps the zones of the file's shard, whatever their order",
          "[config][shard]") {
    const auto zones = zone_names(400);
    const std::string shard = "shard: {index: 1, count: 3}\n";
    const Config forward = load_config_string(shard + zones_yaml(zones), "a.yml");
    auto reversed = zones;
    std::reverse(reversed.begin(), reversed.end());
    const Config backward = load_config_string(shard + zones_yaml(reversed), "b.yml");

    CHECK(forward.inventory.shard == ShardSettings{1, 3});
    CHECK(forward.inventory.listed == 400);
    std::set<std::string> expected;
    for (const auto& z : zones) {
        if (shard_of(z, 3) == 1) expected.insert(z);
    }
    CHECK(names_of(forward) == expected);
    CHECK(names_of(backward) == expected);
    CHECK(shard_summary(forward.inventory.shard, forward.zones.size(), forward.inventory.listed) ==
          "shard 1/3: " + std::to_string(expected.size()) + " of 400 zones");

    // Other zones beside them change nothing for these: a zone's shard is its own.
    auto more = zone_names(300, "other.test");
    more.insert(more.end(), zones.begin(), zones.end());
    const Config with_others = load_config_string(shard + zones_yaml(more), "c.yml");
    std::set<std::string> kept_of_first;
    for (const auto& name : names_of(with_others)) {
        if (name.find("example.test") != std::string::npos) kept_of_first.insert(name);
    }
    CHECK(kept_of_first == expected);
    CHECK(with_others.inventory.listed == 700);
}

TEST_CASE("shard: zones are hashed in their stored form, whatever the spelling in the file",
          "[config][shard]") {
    const Config c = load_config_string(
        "shard: {index: 1, count: 2}\nzones: [SHOP.Test., example.com]\n", "t.yml");
    // shop.test is in shard 1 of 2, example.com in shard 0 (see the hash test above).
    REQUIRE(c.zones.size() == 1);
    CHECK(c.zones[0].name == "shop.test");
}

TEST_CASE("shard: the command line's --shard replaces the file's", "[config][shard]") {
    const auto zones = zone_names(200);
    const std::string yaml = "shard: {index: 0, count: 2}\n" + zones_yaml(zones);
    LoadOptions explicit_shard;
    explicit_shard.shard = ShardSettings{2, 5};
    const Config c = load_config_string(yaml, "t.yml", explicit_shard);
    CHECK(c.inventory.shard == ShardSettings{2, 5});
    for (const auto& z : c.zones) CHECK(shard_of(z.name, 5) == 2);

    {
        // What main does with --shard 3/4: every load in the process takes it.
        CommandLineShard flag({3, 4});
        const Config d = load_config_string(yaml, "t.yml");
        CHECK(d.inventory.shard == ShardSettings{3, 4});
        CHECK(d.inventory.listed == 200);
        for (const auto& z : d.zones) CHECK(shard_of(z.name, 4) == 3);
        size_t expected = 0;
        for (const auto& z : zones) expected += shard_of(z, 4) == 3;
        CHECK(d.zones.size() == expected);
    }
    const Config e = load_config_string(yaml, "t.yml");
    CHECK(e.inventory.shard == ShardSettings{0, 2});
}

TEST_CASE("shard: the file's shard is checked even when --shard replaces it", "[config][shard]") {
    CommandLineShard flag({0, 2});
    try {
        load_config_string("shard: {index: 2, count: 2}\nzones: [shop.test]\n", "t.yml");
        FAIL("no ConfigError");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) ==
              "t.yml:1:16: shard.index: 2 is not below count 2: the shards of 2 are numbered 0 to "
              "1");
    }
}

TEST_CASE("shard: an alert rule may name a zone of another shard", "[config][shard]") {
    // One config for the whole fleet: its per-zone alert settings name zones of every shard.
    const Config c = load_config_string(
        "shard: {index: 0, count: 2}\n"
        "zones: [shop.test, example.com]\n"
        "alerts:\n"
        "  zones:\n"
        "    shop.test:\n"
        "      serial_lag: {threshold: 1m}\n",
        "t.yml");
    REQUIRE(c.zones.size() == 1);
    CHECK(c.zones[0].name == "example.com");
}

TEST_CASE("shard: the daemon's zone requirement counts the listed zones, not the shard's",
          "[config][shard]") {
    // One zone, two shards: an instance may well get none, and that is no config error.
    LoadOptions daemon;
    daemon.require_zones = true;
    const std::string yaml = "shard: {index: 0, count: 2}\nzones: [shop.test]\n";
    const Config c = load_config_string(yaml, "t.yml", daemon);
    CHECK(c.zones.empty());
    CHECK(c.inventory.listed == 1);
}
