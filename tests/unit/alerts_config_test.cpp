// The `alerts` config section: defaults, per-zone overrides, channels, and secrets from the
// environment or a file that never appear in an error message.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "config/config.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

std::string error_of(const std::string& yaml) {
    try {
        load_config_string(yaml, "test.yml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("alerts config: absent = off, present = on with every rule's defaults") {
    CHECK_FALSE(load_config_string("zones: [{name: shop.test}]\n", "t").alerts.enabled);
    const Config c = load_config_string("zones: [{name: shop.test}]\nalerts: {}\n", "t");
    CHECK(c.alerts.enabled);
    CHECK(c.alerts.rules.size() == 19);  // 14 state + 3 resolution rules, zone diff, zone drift
    CHECK(c.alerts.rule_for("zone_diff_mismatch", "shop.test").severity == AlertSeverity::warning);
    CHECK(c.alerts.rule_for("zone_diff_mismatch", "shop.test").for_ == 0s);
    CHECK(c.alerts.rule_for("serial_lag", "shop.test").threshold == 300s);
    CHECK(c.alerts.rule_for("provider_down", "shop.test").severity == AlertSeverity::critical);
    CHECK(c.alerts.resolve_after == 2min);
}

TEST_CASE("alerts config: global rules, per-zone overrides, channels and secrets") {
    test::TempDir dir;
    std::ofstream(dir.path / "pd-key") << "PDKEYFROMFILE\n";
    setenv("NSWATCH_TEST_SLACK_URL", "https://hooks.slack.test/services/T/B/SECRET", 1);
    std::ofstream(dir.path / "nswatch.yml")
        << "zones: [{name: shop.test}, {name: blog.test}]\n"
        << "alerts:\n"
        << "  state_path: state/alerts.db\n"
        << "  resolve_after: 30s\n"
        << "  rules:\n"
        << "    serial_lag: {threshold: 10m, severity: critical, refresh_factor: 1.5}\n"
        << "    answer_mismatch: {enabled: false}\n"
        << "  zones:\n"
        << "    Shop.Test.:\n"
        << "      serial_lag: {threshold: 1m, for: 30s}\n"
        << "  channels:\n"
        << "    - {type: slack, name: ops, url_env: NSWATCH_TEST_SLACK_URL, min_severity: "
           "warning}\n"
        << "    - {type: pagerduty, routing_key_file: pd-key}\n"
        << "    - {type: webhook, url: 'http://127.0.0.1:9/h', hmac_secret: k, timeout: 3s}\n";
    const Config c = load_config_file((dir.path / "nswatch.yml").string());
    const auto& a = c.alerts;
    CHECK(a.state_path == (dir.path / "state" / "alerts.db").string());
    CHECK(a.resolve_after == 30s);
    CHECK(a.rule_for("serial_lag", "blog.test").threshold == 10min);
    CHECK(a.rule_for("serial_lag", "blog.test").severity == AlertSeverity::critical);
    CHECK(a.rule_for("serial_lag", "shop.test").threshold == 1min);
    CHECK(a.rule_for("serial_lag", "shop.test").for_ == 30s);
    CHECK(a.rule_for("serial_lag", "shop.test").severity == AlertSeverity::critical);
    CHECK_FALSE(a.rule_for("answer_mismatch", "shop.test").enabled);
    CHECK(a.rule_for("serial_lag", "shop.test").refresh_factor == 1.5);  // inherited
    CHECK(a.rule_for("resolution_failing", "shop.test").severity == AlertSeverity::critical);
    REQUIRE(a.channels.size() == 3);
    CHECK(a.channels[0].url == "https://hooks.slack.test/services/T/B/SECRET");
    CHECK(a.channels[0].min_severity == AlertSeverity::warning);
    CHECK(a.channels[1].name == "pagerduty");
    CHECK(a.channels[1].routing_key == "PDKEYFROMFILE");
    CHECK(a.channels[1].url == "https://events.pagerduty.com/v2/enqueue");
    CHECK(a.channels[2].hmac_secret == "k");
    CHECK(a.channels[2].timeout == 3s);
    unsetenv("NSWATCH_TEST_SLACK_URL");
}

TEST_CASE("alerts config: secret errors name the source, never the value") {
    unsetenv("NSWATCH_TEST_UNSET");
    CHECK_THAT(error_of("alerts:\n  channels:\n    - {type: slack, url_env: NSWATCH_TEST_UNSET}\n"),
               Catch::Contains("environment variable 'NSWATCH_TEST_UNSET' is not set"));
    CHECK_THAT(
        error_of("alerts:\n  channels:\n    - {type: slack, url: 'ftp://x/SECRETPATH'}\n"),
        Catch::Contains("must start with http:// or https://") && !Catch::Contains("SECRETPATH"));
    CHECK_THAT(error_of("alerts:\n  channels:\n    - {type: slack, url: 'http://a', url_env: X}\n"),
               Catch::Contains("give only one of 'url', 'url_env' and 'url_file'"));
    CHECK_THAT(error_of("alerts:\n  channels:\n    - {type: pagerduty}\n"),
               Catch::Contains("needs routing_key"));
    CHECK_THAT(error_of("alerts:\n  retry_initial: 10s\n  retry_max: 1s\n"),
               Catch::Contains("retry_max must be at least retry_initial"));
}

TEST_CASE("alerts config: refresh_factor is for serial_lag, within 0.1-100") {
    test::TempDir dir;
    auto load = [&](const std::string& rules) {
        std::ofstream(dir.path / "nswatch.yml") << "zones: [{name: shop.test}]\nalerts:\n  rules:\n"
                                                << rules;
        return load_config_file((dir.path / "nswatch.yml").string());
    };
    CHECK(load("    serial_lag: {refresh_factor: 0}\n")
              .alerts.rules.at("serial_lag")
              .refresh_factor == 0);
    CHECK_THROWS_WITH(load("    latency_high: {refresh_factor: 2}\n"),
                      Catch::Contains("refresh_factor applies to serial_lag only") &&
                          Catch::Contains("nswatch.yml:4:"));
    CHECK_THROWS_WITH(load("    serial_lag: {refresh_factor: 500}\n"),
                      Catch::Contains("out of range"));
    CHECK_THROWS_WITH(load("    serial_lag: {refresh_factor: often}\n"),
                      Catch::Contains("got 'often'"));
}
