// The delegation_missing rule: critical at once for a zone whose parent says it is not delegated
// (even a zone that never had a probe round), gone on the first evidence the delegation is back.
#include <catch2/catch.hpp>

#include "alerts/lifecycle.hpp"
#include "alerts/rules.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

const WallTime t0 = WallTime{} + 1800000000s;

std::vector<Condition> conditions(const ZoneTracker& tracker, WallTime now,
                                  const AlertSettings& settings = {}) {
    Snapshot s;
    s.vantage = "v1";
    s.zones.push_back(tracker.state());
    std::vector<Condition> out;
    for (auto& c : evaluate_rules(s, now, settings)) {
        if (c.rule == "delegation_missing") out.push_back(std::move(c));
    }
    return out;
}

DelegationState parent_nxdomain(WallTime when) {
    DelegationState d;
    d.discovered = when;
    d.consistent = false;
    d.error =
        "the parent's server 127.53.0.2 (zone 'test') answers NXDOMAIN: shop.test does not "
        "exist";
    d.missing = MissingReason::parent_nxdomain;
    d.missing_detail = d.error;
    return d;
}

ProbeResult soa(const std::string& ns, const std::string& address, Outcome outcome, WallTime sent) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.provider = ns.substr(ns.find('.') + 1);
    r.target.nameserver = ns;
    r.target.address = address;
    r.target.vantage = "v1";
    r.query.name = "shop.test";
    r.sent_wall = sent;
    r.outcome = outcome;
    r.rcode = outcome == Outcome::ok ? 0 : 5;
    if (outcome == Outcome::ok) {
        r.aa = true;
        r.soa = SoaFields{};
        r.soa->serial = 7;
    }
    return r;
}

}  // namespace

TEST_CASE("delegation_missing: the parent's NXDOMAIN is one critical alert, at once") {
    ZoneTracker tracker("shop.test");
    tracker.set_delegation(parent_nxdomain(t0));  // no probe round: the zone was never found
    const auto cs = conditions(tracker, t0);
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].severity == AlertSeverity::critical);
    CHECK(cs[0].for_ == 0ms);
    CHECK(cs[0].labels == Labels{{"zone", "shop.test"}});
    CHECK_THAT(cs[0].summary, Contains("the delegation of shop.test is missing (parent_nxdomain)"));
    CHECK_THAT(cs[0].summary, Contains("127.53.0.2"));

    AlertTracker alerts(LifecycleSettings{2s, 4h});
    auto fired = alerts.evaluate(cs, t0);
    REQUIRE(fired.size() == 1);
    CHECK_FALSE(fired[0].resolved);
    CHECK(fired[0].alert.status == AlertStatus::firing);

    CHECK(alerts.evaluate(conditions(tracker, t0 + 9s), t0 + 9s).empty());  // no second page

    // The next discovery finds the delegation: the condition is gone on that evaluation, and the
    // alert resolves once the lifecycle's resolve_after (2 s here) has passed.
    DelegationState back;
    back.discovered = t0 + 10s;
    tracker.set_delegation(back);
    CHECK(conditions(tracker, t0 + 10s).empty());
    CHECK(alerts.evaluate({}, t0 + 10s).empty());
    auto resolved = alerts.evaluate({}, t0 + 11s);
    REQUIRE(resolved.size() == 1);
    CHECK(resolved[0].resolved);
    CHECK(resolved[0].alert.rule == "delegation_missing");
}

TEST_CASE("delegation_missing: every server lame in a round fires, one answer ends it") {
    ZoneTracker tracker("shop.test");
    DelegationState d;
    d.discovered = t0;
    tracker.set_delegation(d);
    tracker.observe({soa("ns1.alpha.test", "10.0.0.1", Outcome::ok, t0 + 1s),
                     soa("ns1.beta.test", "10.0.1.1", Outcome::ok, t0 + 1s)},
                    t0 + 1s);
    CHECK(conditions(tracker, t0 + 1s).empty());
    tracker.observe({soa("ns1.alpha.test", "10.0.0.1", Outcome::refused, t0 + 2s),
                     soa("ns1.beta.test", "10.0.1.1", Outcome::refused, t0 + 2s)},
                    t0 + 2s);
    const auto cs = conditions(tracker, t0 + 2s);
    REQUIRE(cs.size() == 1);
    CHECK_THAT(cs[0].summary, Contains("servers_lame"));
    CHECK_THAT(cs[0].summary, Contains("ns1.beta.test (10.0.1.1) refused"));
    tracker.observe({soa("ns1.alpha.test", "10.0.0.1", Outcome::ok, t0 + 3s)}, t0 + 3s);
    CHECK(conditions(tracker, t0 + 3s).empty());
}

TEST_CASE("delegation_missing: a parent that could not be asked raises nothing") {
    ZoneTracker tracker("shop.test");
    DelegationState d;
    d.discovered = t0;
    d.error = "no server of zone 'test' answered for shop.test (last: timeout)";
    tracker.set_delegation(d);
    CHECK(conditions(tracker, t0).empty());
}

TEST_CASE("delegation_missing: default settings, and it can be turned off per zone") {
    AlertSettings settings;
    const RuleSettings rs = settings.rule_for("delegation_missing", "shop.test");
    CHECK(rs.enabled);
    CHECK(rs.severity == AlertSeverity::critical);
    CHECK(rs.for_ == 0ms);
    settings.zone_rules["shop.test"]["delegation_missing"].enabled = false;
    ZoneTracker tracker("shop.test");
    tracker.set_delegation(parent_nxdomain(t0));
    CHECK(conditions(tracker, t0, settings).empty());
}
