// SIGHUP for alerting: the engine takes new rule settings at its next evaluation (alert state
// kept), the deliverer sends to the reconfigured channel URL. Real SQLite state file and local
// HTTP receivers; the clock is passed in.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "alerts/alert_engine.hpp"
#include "alerts_receiver.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

WallTime real_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Provider beta's two addresses down from vantage v1: one provider_down.
SnapshotPtr beta_down() {
    auto s = std::make_shared<Snapshot>();
    s->vantage = "v1";
    ZoneState z;
    z.zone = "shop.test";
    z.rounds = 5;
    for (const char* addr : {"10.0.1.1", "10.0.1.2"}) {
        TargetState t;
        t.target.zone = "shop.test";
        t.target.provider = "beta";
        t.target.vantage = "v1";
        t.target.nameserver = "ns1.beta.test";
        t.target.address = addr;
        t.up = false;
        t.last.outcome = Outcome::timeout;
        t.consecutive_failures = 3;
        z.targets.push_back(t);
    }
    s->zones.push_back(z);
    return s;
}

AlertSettings settings_to(const std::string& url) {
    AlertSettings a;
    a.enabled = true;
    a.rules = default_rule_settings();
    a.resolve_after = 0ms;
    a.retry_initial = 20ms;
    a.retry_max = 100ms;
    ChannelConfig c;
    c.type = "webhook";
    c.name = "hook";
    c.url = url;
    c.timeout = 2000ms;
    a.channels = {c};
    return a;
}

std::vector<std::pair<std::string, std::string>> rule_status(const test::Receiver& rx) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& r : rx.requests()) {
        const json body = json::parse(r.body);
        for (const auto& a : body["alerts"]) out.emplace_back(a["rule"], a["status"]);
    }
    return out;
}

}  // namespace

TEST_CASE("reload: a rule disabled by reconfigure resolves, state and channel URL follow") {
    test::TempDir dir;
    const std::string db = dir.file("alerts.db");
    test::Receiver before, after;
    const auto snap = beta_down();
    Deliverer d(db, settings_to(before.url()));
    AlertEngine engine(
        db, settings_to(before.url()), [&] { return snap; }, &d);

    const WallTime t0 = real_now();
    REQUIRE(engine.evaluate_once(t0).size() == 1);
    REQUIRE(before.wait_for(1));
    CHECK(rule_status(before) ==
          std::vector<std::pair<std::string, std::string>>{{"provider_down", "firing"}});

    // The reload: provider_down off, and the webhook moved to another receiver.
    AlertSettings next = settings_to(after.url());
    next.rules["provider_down"].enabled = false;
    d.reconfigure(next);
    engine.reconfigure(next);
    CHECK(engine.current_settings().rules.at("provider_down").enabled);  // not before evaluating
    const auto notices = engine.evaluate_once(real_now());               // outbox rows due at once
    CHECK_FALSE(engine.current_settings().rules.at("provider_down").enabled);
    // The alert state was kept: provider_down resolves (not silence), and the two address
    // alerts it muted are no longer muted, so they are paged now.
    REQUIRE(notices.size() == 3);
    REQUIRE(after.wait_for(1));
    CHECK(rule_status(after) ==
          std::vector<std::pair<std::string, std::string>>{{"nameserver_timeout", "firing"},
                                                           {"nameserver_timeout", "firing"},
                                                           {"provider_down", "resolved"}});
    CHECK(before.requests().size() == 1);  // nothing more to the old URL
}
