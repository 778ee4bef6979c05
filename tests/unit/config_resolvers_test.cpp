// The `resolvers` section (config/resolvers_loader.cpp): defaults, a full example, and that the
// section stays off when absent. Bad cases are config/testdata/invalid-resolver-*.yml.
#include <catch2/catch.hpp>

#include "config/config.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

TEST_CASE("config resolvers: absent means resolution probes are off") {
    const Config c = load_config_string("zones: [{name: shop.test}]\n", "test.yml");
    CHECK_FALSE(c.resolution.enabled());
    CHECK(c.resolution.resolvers.empty());
}

TEST_CASE("config resolvers: a full section is read with its defaults filled in") {
    const Config c = load_config_string(R"(
vantages:
  - name: fra1
  - name: ams1
resolvers:
  timeout: 3s
  interval: 30s
  failing_after: 3
  slow_after: 800ms
  slow_factor: 2.5
  recent_window: 5m
  baseline_window: 2h
  servers:
    - name: isp
      address: 192.0.2.53
    - name: unbound-v6
      address: "2001:DB8::53"
      port: 5353
      vantages: [ams1]
)",
                                        "test.yml");
    const ResolutionSettings& r = c.resolution;
    REQUIRE(r.enabled());
    REQUIRE(r.resolvers.size() == 2);
    CHECK(r.resolvers[0].name == "isp");
    CHECK(r.resolvers[0].address == "192.0.2.53");
    CHECK(r.resolvers[0].family == Family::ipv4);
    CHECK(r.resolvers[0].port == 53);
    CHECK(r.resolvers[0].vantages.empty());
    CHECK(r.resolvers[1].address == "2001:db8::53");  // canonical form
    CHECK(r.resolvers[1].family == Family::ipv6);
    CHECK(r.resolvers[1].port == 5353);
    CHECK(r.resolvers[1].vantages == std::vector<std::string>{"ams1"});
    CHECK(r.timeout == 3s);
    CHECK(r.interval == 30s);
    CHECK(r.failing_after == 3);
    CHECK(r.slow_after == 800ms);
    CHECK(r.slow_factor == Approx(2.5));
    CHECK(r.recent_window == 5min);
    CHECK(r.baseline_window == 2h);
}

TEST_CASE("config resolvers: only servers given keeps every default") {
    const Config c =
        load_config_string("resolvers:\n  servers: [{name: isp, address: 192.0.2.53}]\n", "t.yml");
    ResolutionSettings defaults;
    defaults.resolvers = c.resolution.resolvers;
    CHECK(c.resolution == defaults);
}

TEST_CASE("config resolvers: 'alerts' is still reserved, 'resolvers' no longer is") {
    try {
        load_config_string("resolvers: {}\n", "t.yml");
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).find("reserved") == std::string::npos);
        CHECK(std::string(e.what()).find("missing key 'servers'") != std::string::npos);
        CHECK(e.line() == 1);
    }
}
