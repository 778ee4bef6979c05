// Alert rules over real ZoneTracker state, and each rule's lifecycle on a virtual clock: zone
// state built from probe results, conditions, then pending -> firing -> resolved. No sockets.
#include <catch2/catch.hpp>

#include "alerts/lifecycle.hpp"
#include "alerts/rules.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

const WallTime t0 = WallTime{} + 1800000000s;

ProbeResult probe(const std::string& provider, const std::string& ns, const std::string& addr,
                  std::optional<uint32_t> serial, Outcome failure = Outcome::timeout) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.provider = provider;
    r.target.nameserver = ns;
    r.target.address = addr;
    r.target.vantage = "v1";
    r.query.name = "shop.test";
    if (serial) {
        r.outcome = Outcome::ok;
        r.rcode = 0;
        r.aa = true;
        r.soa = SoaFields{};
        r.soa->serial = *serial;
        r.rtt = 5ms;
    } else {
        r.outcome = failure;
        r.rcode = failure == Outcome::timeout ? -1 : 5;
    }
    return r;
}

// A three-provider zone: alpha (primary side), beta (two addresses), gamma.
struct Lab {
    ZoneTracker tracker{"shop.test"};
    AlertSettings settings;
    AlertTracker alerts{LifecycleSettings{2min, 4h}};

    Snapshot snapshot() const {
        Snapshot s;
        s.vantage = "v1";
        s.zones.push_back(tracker.state());
        return s;
    }
    std::vector<Condition> conditions(WallTime now) const {
        return evaluate_rules(snapshot(), now, settings);
    }
    std::vector<Notice> round(const std::vector<ProbeResult>& results, WallTime now) {
        tracker.observe(results, now);
        return alerts.evaluate(conditions(now), now);
    }
};

std::vector<ProbeResult> healthy(uint32_t serial) {
    return {probe("alpha", "ns1.alpha.test", "10.0.0.1", serial),
            probe("beta", "ns1.beta.test", "10.0.1.1", serial),
            probe("beta", "ns2.beta.test", "10.0.1.2", serial),
            probe("gamma", "ns1.gamma.test", "10.0.2.1", serial)};
}

size_t count_rule(const std::vector<Condition>& cs, const std::string& rule) {
    return static_cast<size_t>(std::count_if(
        cs.begin(), cs.end(), [&](const Condition& c) { return c.rule == rule && !c.hold; }));
}

}  // namespace

TEST_CASE("alert rules: a healthy zone raises nothing") {
    Lab lab;
    for (int i = 0; i < 10; ++i) {
        CHECK(lab.round(healthy(10), t0 + i * 60s).empty());
    }
    CHECK(lab.conditions(t0 + 600s).empty());
}

TEST_CASE(
    "serial_lag: a lagging provider fires once past the threshold, resolves after hysteresis") {
    Lab lab;
    lab.round(healthy(10), t0);
    auto lagging = [](uint32_t newest) {
        auto r = healthy(newest);
        r[1] = probe("beta", "ns1.beta.test", "10.0.1.1", 10);
        r[2] = probe("beta", "ns2.beta.test", "10.0.1.2", 10);
        return r;
    };
    // Serial 11 appears at t0+60; beta stays on 10. Lag grows 0, 60, ... 300 s.
    for (int i = 1; i <= 5; ++i) {
        INFO("minute " << i);
        CHECK(lab.round(lagging(11), t0 + i * 60s).empty());
    }
    auto fired = lab.round(lagging(11), t0 + 360s);  // 300 s behind = threshold
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].alert.rule == "serial_lag");
    CHECK(fired[0].reason == "first notification");
    CHECK(fired[0].alert.labels.at("provider") == "beta");  // both addresses: one alert
    CHECK(fired[0].alert.summary.find("serves serial 10") != std::string::npos);
    CHECK(fired[0].alert.summary.find("newest is 11") != std::string::npos);

    CHECK(lab.round(lagging(11), t0 + 420s).empty());  // still firing: no duplicate
    // Caught up at +480: the alert stays firing until its condition has been absent for
    // resolve_after (2 min since it last held, at +420), then resolves once.
    CHECK(lab.round(healthy(11), t0 + 480s).empty());
    CHECK(lab.round(healthy(11), t0 + 539s).empty());
    auto resolved = lab.round(healthy(11), t0 + 540s);
    REQUIRE(resolved.size() == 1);
    CHECK(resolved[0].resolved);
    CHECK(resolved[0].alert.fingerprint == fired[0].alert.fingerprint);
    CHECK(lab.round(healthy(11), t0 + 600s).empty());
}

TEST_CASE("serial_lag: the threshold is per zone") {
    Lab lab;
    lab.settings.zone_rules["shop.test"]["serial_lag"].threshold = 60s;
    lab.round(healthy(10), t0);
    auto r = healthy(11);
    r[3] = probe("gamma", "ns1.gamma.test", "10.0.2.1", 10);
    lab.round(r, t0 + 60s);
    auto fired = lab.round(r, t0 + 120s);
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].alert.labels.at("provider") == "gamma");
}

TEST_CASE("nameserver_timeout: fires after the fall threshold, not for one lost packet") {
    Lab lab;
    lab.round(healthy(10), t0);
    auto r = healthy(10);
    r[3] = probe("gamma", "ns1.gamma.test", "10.0.2.1", std::nullopt);
    CHECK(lab.round(r, t0 + 60s).empty());
    // Second failure in a row (fall = 2): gamma has one address, so this is provider_down; the
    // address's own alert is raised but muted by it (inhibition), so it is not paged.
    auto fired = lab.round(r, t0 + 120s);
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].alert.rule == "provider_down");
    CHECK(count_rule(lab.conditions(t0 + 120s), "nameserver_timeout") == 1);
    CHECK(lab.round(r, t0 + 180s).empty());
}

TEST_CASE("nameserver_down / timeout: one address of a provider, judged over UDP") {
    Lab lab;
    lab.round(healthy(10), t0);
    auto r = healthy(10);
    r[2] = probe("beta", "ns2.beta.test", "10.0.1.2", std::nullopt);
    CHECK(lab.round(r, t0 + 60s).empty());
    auto fired = lab.round(r, t0 + 120s);
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].alert.rule == "nameserver_timeout");
    CHECK(fired[0].alert.labels.at("address") == "10.0.1.2");
    CHECK(fired[0].alert.labels.count("transport") == 0);

    // SERVFAIL instead of silence is nameserver_down, a different alert.
    auto sf = healthy(10);
    sf[1] = probe("beta", "ns1.beta.test", "10.0.1.1", std::nullopt, Outcome::servfail);
    sf[2] = probe("beta", "ns2.beta.test", "10.0.1.2", 10);
    Lab lab2;
    lab2.round(healthy(10), t0);
    lab2.round(sf, t0 + 60s);
    auto down = lab2.round(sf, t0 + 120s);
    REQUIRE(down.size() == 1);
    CHECK(down[0].alert.rule == "nameserver_down");
}

TEST_CASE("provider_down: every address of a provider failing is one page, not one per address") {
    Lab lab;
    lab.round(healthy(10), t0);
    auto r = healthy(10);
    r[1] = probe("beta", "ns1.beta.test", "10.0.1.1", std::nullopt);
    r[2] = probe("beta", "ns2.beta.test", "10.0.1.2", std::nullopt);
    std::vector<Notice> fired;
    for (int i = 1; i <= 3; ++i) {
        auto n = lab.round(r, t0 + i * 60s);
        fired.insert(fired.end(), n.begin(), n.end());
    }
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].alert.rule == "provider_down");
    CHECK(fired[0].alert.labels.at("provider") == "beta");
    CHECK(fired[0].alert.severity == AlertSeverity::critical);
    // Recovers (rise = 2), then resolve_after later it resolves; the muted address alerts
    // were never paged, so they end without a RESOLVED either.
    CHECK(lab.round(healthy(10), t0 + 240s).empty());
    CHECK(lab.round(healthy(10), t0 + 300s).empty());
    std::vector<Notice> later;
    for (int i = 6; i <= 10; ++i) {
        auto n = lab.round(healthy(10), t0 + i * 60s);
        later.insert(later.end(), n.begin(), n.end());
    }
    REQUIRE(later.size() == 1);
    CHECK(later[0].resolved);
    CHECK(later[0].alert.rule == "provider_down");
    CHECK(lab.alerts.alerts().empty());
}

TEST_CASE("lame_delegation: REFUSED for the apex, after `for`") {
    Lab lab;
    lab.round(healthy(10), t0);
    auto r = healthy(10);
    r[3] = probe("gamma", "ns1.gamma.test", "10.0.2.1", std::nullopt, Outcome::refused);
    std::vector<Notice> fired;
    for (int i = 1; i <= 7; ++i) {
        auto n = lab.round(r, t0 + i * 60s);
        for (auto& x : n) {
            if (x.alert.rule == "lame_delegation") fired.push_back(x);
        }
    }
    REQUIRE(fired.size() == 1);  // pending for 5 min (its default `for`), then one notice
    CHECK(fired[0].at == t0 + 6min);
    CHECK(fired[0].alert.labels.at("nameserver") == "ns1.gamma.test");
}

TEST_CASE("answer_mismatch, delegation_mismatch, serial_ahead from zone state") {
    ZoneState z;
    z.zone = "shop.test";
    z.rounds = 1;
    z.answers_consistent = false;
    z.answer_differences = {"shop.test A: alpha 192.0.2.1, beta 192.0.2.2"};
    z.delegation.consistent = false;
    z.delegation.only_in_parent = {"ns.old.test"};
    TargetState t;
    t.target.provider = "beta";
    t.target.vantage = "v1";
    t.target.address = "10.0.1.1";
    t.serial_state = SerialState::ahead_of_primary;
    t.serial = 99;
    ProbeResult answered;
    answered.outcome = Outcome::ok;
    answered.soa = SoaFields{};
    answered.soa->serial = 99;
    t.last = keep_last(answered);
    z.targets.push_back(t);
    Snapshot s;
    s.zones.push_back(z);
    AlertSettings settings;
    auto cs = evaluate_rules(s, t0, settings);
    CHECK(count_rule(cs, "answer_mismatch") == 1);
    CHECK(count_rule(cs, "delegation_mismatch") == 1);
    CHECK(count_rule(cs, "serial_ahead") == 1);
    settings.zone_rules["shop.test"]["answer_mismatch"].enabled = false;
    CHECK(count_rule(evaluate_rules(s, t0, settings), "answer_mismatch") == 0);
}

TEST_CASE("latency_high and dnssec_signature_expiry") {
    ZoneState z;
    z.zone = "shop.test";
    z.rounds = 1;
    TargetState t;
    t.target.provider = "beta";
    t.target.vantage = "v1";
    t.target.nameserver = "ns1.beta.test";
    t.target.address = "10.0.1.1";
    ProbeResult last;
    last.outcome = Outcome::ok;
    last.rtt = 900ms;
    last.answer.push_back(
        {"shop.test.", 46, 300, "SOA 13 2 300 20270115000000 20270101000000 1234 shop.test. AAAA"});
    t.last = keep_last(last);
    for (int i = 0; i < 6; ++i) t.add_rtt(0.9);
    z.targets.push_back(t);
    Snapshot s;
    s.zones.push_back(z);
    AlertSettings settings;
    const WallTime expiry = WallTime{} + std::chrono::seconds(1799971200);  // 2027-01-15T00:00:00Z
    auto cs = evaluate_rules(s, expiry - 10 * 24h, settings);
    CHECK(count_rule(cs, "latency_high") == 1);
    CHECK(count_rule(cs, "dnssec_signature_expiry") == 0);  // 10 days left > 7
    cs = evaluate_rules(s, expiry - 3 * 24h, settings);
    REQUIRE(count_rule(cs, "dnssec_signature_expiry") == 1);
}

TEST_CASE("lifecycle: a flapping condition does not page every time") {
    AlertTracker tracker(LifecycleSettings{2min, 4h});
    Condition c{"nameserver_down", AlertSeverity::warning, {{"zone", "shop.test"}}, "down", 0ms};
    int notices = 0;
    for (int i = 0; i < 30; ++i) {
        // Present one minute, absent the next: never absent for resolve_after.
        auto n = tracker.evaluate(i % 2 == 0 ? std::vector<Condition>{c} : std::vector<Condition>{},
                                  t0 + i * 60s);
        notices += static_cast<int>(n.size());
    }
    CHECK(notices == 1);
}

TEST_CASE("lifecycle: pending that clears before `for` never notifies") {
    AlertTracker tracker;
    Condition c{"answer_mismatch", AlertSeverity::warning, {{"zone", "shop.test"}}, "x", 10min};
    CHECK(tracker.evaluate({c}, t0).empty());
    CHECK(tracker.alerts().begin()->second.status == AlertStatus::pending);
    CHECK(tracker.evaluate({c}, t0 + 9min).empty());
    CHECK(tracker.evaluate({}, t0 + 10min).empty());
    CHECK(tracker.alerts().empty());
}

TEST_CASE("lifecycle: repeat interval re-notifies a long-firing alert with its reason") {
    AlertTracker tracker(LifecycleSettings{2min, 1h});
    Condition c{"serial_lag", AlertSeverity::warning, {{"zone", "shop.test"}}, "x", 0ms};
    REQUIRE(tracker.evaluate({c}, t0).size() == 1);
    CHECK(tracker.evaluate({c}, t0 + 59min).empty());
    auto again = tracker.evaluate({c}, t0 + 60min);
    REQUIRE(again.size() == 1);
    CHECK(again[0].reason == "repeat interval elapsed");
}

TEST_CASE("lifecycle: a silence mutes until it expires, then the alert notifies") {
    AlertTracker tracker;
    Condition c{"serial_lag",
                AlertSeverity::warning,
                {{"zone", "shop.test"}, {"provider", "beta"}},
                "x",
                0ms};
    Silence s;
    s.matchers = {{"zone", "shop.test"}, {"alertname", "serial_lag"}};
    s.expires = t0 + 30min;
    CHECK(tracker.evaluate({c}, t0, {s}).empty());
    CHECK(tracker.evaluate({c}, t0 + 29min, {s}).empty());
    auto after = tracker.evaluate({c}, t0 + 30min, {s});
    REQUIRE(after.size() == 1);
    CHECK(after[0].reason == "first notification");
    // A silence that does not match lets it through.
    AlertTracker other;
    Silence wrong;
    wrong.matchers = {{"provider", "gamma"}};
    wrong.expires = t0 + 1h;
    CHECK(other.evaluate({c}, t0, {wrong}).size() == 1);
}

TEST_CASE("lifecycle: restored state does not re-page after a restart") {
    AlertTracker first;
    Condition c{"provider_down", AlertSeverity::critical, {{"zone", "shop.test"}}, "x", 0ms};
    REQUIRE(first.evaluate({c}, t0).size() == 1);
    std::vector<Alert> stored;
    for (const auto& [_, a] : first.alerts()) stored.push_back(a);
    AlertTracker second;
    second.restore(stored);
    CHECK(second.evaluate({c}, t0 + 1min).empty());
    CHECK(second.evaluate({}, t0 + 10min).size() == 1);  // but it does resolve
}

TEST_CASE("fingerprint: stable, label-order independent, distinct per labels") {
    CHECK(fingerprint("serial_lag", {{"zone", "a"}, {"provider", "b"}}) ==
          fingerprint("serial_lag", {{"provider", "b"}, {"zone", "a"}}));
    CHECK(fingerprint("serial_lag", {{"zone", "ab"}}) !=
          fingerprint("serial_lag", {{"zone", "a"}, {"b", ""}}));
    CHECK(fingerprint("serial_lag", {{"zone", "a"}}).size() == 16);
    // Pinned: it is a dedup key stored in SQLite and sent to PagerDuty.
    CHECK(fingerprint("serial_lag", {{"zone", "shop.test"}}) == "7d658412ee8f4b93");
}

TEST_CASE("grouping: notices of one zone become one group") {
    std::vector<Notice> ns;
    for (int i = 0; i < 40; ++i) {
        Notice n;
        n.alert.labels = {{"zone", "shop.test"}, {"address", "10.0.0." + std::to_string(i)}};
        ns.push_back(n);
    }
    Notice other;
    other.alert.labels = {{"zone", "blog.test"}};
    ns.push_back(other);
    auto groups = group_by_zone(ns);
    REQUIRE(groups.size() == 2);
    CHECK(groups[1].zone == "shop.test");
    CHECK(groups[1].notices.size() == 40);
}

TEST_CASE("latency_high: the p95 of the last answers, not one slow reply") {
    ZoneState z;
    z.zone = "shop.test";
    z.rounds = 1;
    TargetState t;
    t.target.provider = "beta";
    t.target.vantage = "v1";
    t.target.nameserver = "ns1.beta.test";
    t.target.address = "10.0.1.1";
    t.last.outcome = Outcome::ok;
    AlertSettings settings;  // latency_high threshold 500 ms
    auto fires = [&](const TargetState& ts) {
        Snapshot s;
        ZoneState zz = z;
        zz.targets = {ts};
        s.zones.push_back(zz);
        return count_rule(evaluate_rules(s, t0, settings), "latency_high");
    };
    t.add_rtt(2.0);
    CHECK(fires(t) == 0);  // one answer is no p95
    for (int i = 0; i < 18; ++i) t.add_rtt(0.02);
    CHECK(t.rtt_samples == 19);
    REQUIRE(t.rtt_p95());
    CHECK(*t.rtt_p95() == Approx(2.0));  // ceil(0.95*19) = 19: at n=19 the largest is the p95
    CHECK(fires(t) == 1);
    t.add_rtt(0.02);  // n = 20: rank 19, the second largest
    CHECK(*t.rtt_p95() == Approx(0.02));
    CHECK(fires(t) == 0);
    t.add_rtt(0.9);  // the 2 s answer leaves the ring: one slow of 20
    CHECK(*t.rtt_p95() == Approx(0.02));
    t.add_rtt(0.9);  // two slow of 20: the second largest is slow
    CHECK(*t.rtt_p95() == Approx(0.9));
    CHECK(fires(t) == 1);
    for (int i = 0; i < 20; ++i) t.add_rtt(0.01);  // the window moves on
    CHECK(*t.rtt_p95() == Approx(0.01));
    CHECK(fires(t) == 0);
}

TEST_CASE("serial_lag: threshold relative to SOA REFRESH") {
    ZoneState z;
    z.zone = "shop.test";
    z.rounds = 1;
    z.newest_serial = 11;
    TargetState cur;
    cur.target.provider = "alpha";
    cur.target.vantage = "v1";
    cur.target.address = "10.0.0.1";
    cur.serial = 11;
    ProbeResult last;
    last.outcome = Outcome::ok;
    last.soa = SoaFields{};
    last.soa->serial = 11;
    last.soa->refresh = 600;
    cur.last = keep_last(last);
    TargetState lag = cur;
    lag.target.provider = "beta";
    lag.target.address = "10.0.1.1";
    lag.serial = 10;
    last.soa->serial = 10;
    lag.last = keep_last(last);
    lag.serial_state = SerialState::behind;
    lag.behind_by = 1;
    lag.lag_seconds = 900;  // 15 min behind: past 300 s, under 2 x REFRESH (1200 s)
    z.targets = {cur, lag};
    Snapshot s;
    s.zones.push_back(z);
    AlertSettings settings;
    settings.rules = default_rule_settings();
    CHECK(count_rule(evaluate_rules(s, t0, settings), "serial_lag") == 1);  // fixed 300 s
    settings.rules["serial_lag"].refresh_factor = 2;
    CHECK(count_rule(evaluate_rules(s, t0, settings), "serial_lag") == 0);
    s.zones[0].targets[1].lag_seconds = 1300;
    auto cs = evaluate_rules(s, t0, settings);
    REQUIRE(count_rule(cs, "serial_lag") == 1);
    for (const auto& c : cs) {
        if (c.rule == "serial_lag") {
            CHECK(c.summary.find("threshold 1200 s = 2 x REFRESH 600 s") != std::string::npos);
        }
    }
    // No SOA with the newest serial known: the fixed threshold is the fallback.
    last.soa.reset();
    s.zones[0].targets[0].last = keep_last(last);
    s.zones[0].targets[1].lag_seconds = 400;
    CHECK(count_rule(evaluate_rules(s, t0, settings), "serial_lag") == 1);
}

TEST_CASE("lifecycle: a hold keeps an alert as it is and never starts one") {
    AlertTracker tracker(LifecycleSettings{0ms, 4h});
    Condition c{"serial_lag", AlertSeverity::warning, {{"zone", "shop.test"}}, "behind", 0ms};
    Condition h = c;
    h.hold = true;
    h.summary.clear();
    CHECK(tracker.evaluate({h}, t0).empty());  // nothing to keep: nothing started
    CHECK(tracker.alerts().empty());
    REQUIRE(tracker.evaluate({c}, t0 + 1min).size() == 1);
    for (int i = 2; i < 10; ++i) CHECK(tracker.evaluate({h}, t0 + i * 1min).empty());
    CHECK(tracker.alerts().begin()->second.summary == "behind");
    auto resolved = tracker.evaluate({}, t0 + 10min);
    REQUIRE(resolved.size() == 1);
    CHECK(resolved[0].resolved);
}

TEST_CASE("lifecycle: an alert whose zone was not judged keeps its state") {
    AlertTracker tracker(LifecycleSettings{0ms, 4h});
    Condition c{"provider_down", AlertSeverity::critical, {{"zone", "shop.test"}}, "down", 0ms};
    REQUIRE(tracker.evaluate({c}, t0).size() == 1);
    auto not_judged = [](const Alert&) { return false; };
    CHECK(tracker.evaluate({}, t0 + 1h, {}, not_judged).empty());
    CHECK(tracker.alerts().size() == 1);
    CHECK(tracker.evaluate({}, t0 + 2h).size() == 1);  // judged, and clear: resolved
}

TEST_CASE("lifecycle: a firing provider_down mutes its provider's address alerts") {
    AlertTracker tracker(LifecycleSettings{0ms, 4h});
    const Labels provider{{"zone", "shop.test"}, {"provider", "gamma"}, {"vantage", "v1"}};
    Labels address = provider;
    address["address"] = "10.0.2.1";
    Labels other = address;
    other["provider"] = "beta";
    Condition down{"provider_down", AlertSeverity::critical, provider, "down", 0ms};
    Condition ns{"nameserver_timeout", AlertSeverity::warning, address, "timeout", 0ms};
    Condition ns_beta{"nameserver_timeout", AlertSeverity::warning, other, "timeout", 0ms};
    auto first = tracker.evaluate({down, ns, ns_beta}, t0);
    REQUIRE(first.size() == 2);  // provider_down, and beta's address (another provider)
    CHECK(first[0].alert.rule != first[1].alert.rule);
    // The provider recovers: its RESOLVED goes out, the muted address alert ends silently.
    auto later = tracker.evaluate({ns_beta}, t0 + 1min);
    REQUIRE(later.size() == 1);
    CHECK(later[0].resolved);
    CHECK(later[0].alert.rule == "provider_down");
}

TEST_CASE("alert texts carry the server's Extended DNS Error (RFC 8914)") {
    Lab lab;
    lab.round(healthy(10), t0);
    auto r = healthy(10);
    r[1] = probe("beta", "ns1.beta.test", "10.0.1.1", std::nullopt, Outcome::servfail);
    r[1].extended_errors = {{22, "no reachable authority for shop.test"}};
    r[2] = probe("beta", "ns2.beta.test", "10.0.1.2", std::nullopt, Outcome::servfail);
    std::vector<Notice> fired;
    for (int i = 1; i <= 3; ++i) {
        auto n = lab.round(r, t0 + i * 60s);
        fired.insert(fired.end(), n.begin(), n.end());
    }
    REQUIRE(fired.size() == 1);
    CHECK(fired[0].alert.rule == "provider_down");
    // provider_down names the first address's last outcome, with its reason.
    CHECK_THAT(fired[0].alert.summary,
               Catch::Contains("last servfail, EDE 22 (No Reachable Authority): no reachable "
                               "authority for shop.test)"));
    // Without an EDE the text is as before.
    const auto conditions = lab.conditions(t0 + 180s);
    bool seen_plain = false;
    for (const auto& c : conditions) {
        if (c.rule == "nameserver_down" && c.labels.count("address") &&
            c.labels.at("address") == "10.0.1.2") {
            CHECK_THAT(c.summary, Catch::EndsWith("last servfail"));
            seen_plain = true;
        }
        if (c.rule == "nameserver_down" && c.labels.count("address") &&
            c.labels.at("address") == "10.0.1.1") {
            CHECK_THAT(c.summary, Catch::EndsWith("last servfail, EDE 22 (No Reachable "
                                                  "Authority): no reachable authority for "
                                                  "shop.test"));
        }
    }
    CHECK(seen_plain);
}
