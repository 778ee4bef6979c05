// Resolution conditions as alerts: uncached samples folded by the real ResolutionTracker, judged by
// evaluate_resolution, turned into alert conditions and run through the alert lifecycle on a
// virtual clock. Per-zone settings disable or re-grade a rule. No sockets.
#include <catch2/catch.hpp>

#include "alerts/lifecycle.hpp"
#include "alerts/resolution_rules.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

const WallTime t0 = WallTime{} + 1800000000s;

ResolutionSample uncached(const std::string& zone, WallTime at, ResolutionOutcome outcome) {
    ResolutionSample s;
    s.zone = zone;
    s.resolver = "unbound";
    s.vantage = "v1";
    s.path = ResolutionPath::uncached;
    s.name = "nswatch-00000000000000aa." + zone;
    s.at = at;
    s.seconds = outcome == ResolutionOutcome::ok ? 0.02 : 3.0;
    s.outcome = outcome;
    s.rcode = outcome == ResolutionOutcome::servfail ? 2 : 3;
    return s;
}

AlertSettings alert_settings() {
    AlertSettings a;
    a.enabled = true;
    a.rules = default_rule_settings();
    return a;
}

}  // namespace

TEST_CASE("resolution alerts: failing through a resolver fires, recovery resolves") {
    ResolutionSettings rs;
    rs.failing_after = 2;
    ResolutionTracker tracker(rs);
    AlertTracker lifecycle(LifecycleSettings{0ms, std::chrono::hours(4)});
    const AlertSettings settings = alert_settings();
    auto step = [&](WallTime now, ResolutionOutcome outcome) {
        tracker.observe_uncached(uncached("shop.test", now, outcome));
        const auto held = evaluate_resolution(tracker.states(), rs, now);
        return lifecycle.evaluate(resolution_alert_conditions(held, settings), now);
    };

    CHECK(step(t0, ResolutionOutcome::ok).empty());
    CHECK(step(t0 + 60s, ResolutionOutcome::servfail).empty());  // one failure is not an outage
    const auto fired = step(t0 + 120s, ResolutionOutcome::servfail);
    REQUIRE(fired.size() == 1);
    CHECK_FALSE(fired[0].resolved);
    CHECK(fired[0].alert.rule == "resolution_failing");
    CHECK(fired[0].alert.severity == AlertSeverity::critical);
    CHECK(fired[0].alert.labels ==
          Labels{{"zone", "shop.test"}, {"resolver", "unbound"}, {"vantage", "v1"}});
    CHECK(fired[0].alert.summary.find("unbound") != std::string::npos);
    CHECK(step(t0 + 180s, ResolutionOutcome::timeout).empty());  // still firing: no repeat

    const auto resolved = step(t0 + 240s, ResolutionOutcome::ok);
    REQUIRE(resolved.size() == 1);
    CHECK(resolved[0].resolved);
    CHECK(resolved[0].alert.rule == "resolution_failing");
}

TEST_CASE("resolution alerts: per-zone overrides disable or re-grade the rule") {
    std::vector<ResolutionCondition> held{
        {"resolution_failing", "quiet.test", "unbound", "v1", "fails"},
        {"resolution_failing", "shop.test", "unbound", "v1", "fails"},
        {"resolution_slow", "shop.test", "unbound", "v1", "slow"},
        {"resolution_unverified", "shop.test", "unbound", "v1", "from cache"},
    };
    AlertSettings settings = alert_settings();
    settings.zone_rules["quiet.test"]["resolution_failing"].enabled = false;
    settings.zone_rules["shop.test"]["resolution_slow"].severity = AlertSeverity::critical;
    settings.zone_rules["shop.test"]["resolution_slow"].for_ = 5min;

    const auto out = resolution_alert_conditions(held, settings);
    REQUIRE(out.size() == 3);
    CHECK(out[0].rule == "resolution_failing");
    CHECK(out[0].labels.at("zone") == "shop.test");
    CHECK(out[1].rule == "resolution_slow");
    CHECK(out[1].severity == AlertSeverity::critical);
    CHECK(out[1].for_ == 5min);
    CHECK(out[2].rule == "resolution_unverified");
    CHECK(out[2].severity == AlertSeverity::info);  // default: visible, never a page
    CHECK(out[2].summary == "from cache");
}
