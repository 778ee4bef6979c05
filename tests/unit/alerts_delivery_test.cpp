// Alert delivery: payload formats per channel checked at a real local HTTP receiver, the
// retry/no-retry table, backoff, a receiver down for a while, a SIGKILL between outbox write and
// delivery, restart without re-paging, and no secret in any log line.
#include <signal.h>
#include <spawn.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "alerts/alert_engine.hpp"
#include "alerts/channel.hpp"
#include "alerts_receiver.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Fixed time for payload contents; outbox rows that the delivery thread (on the real clock) must
// find due are written at real_now().
const WallTime t0 = WallTime{} + 1800000000s;
WallTime real_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// Zone state with provider beta's two addresses down from vantage v1 (one provider_down).
SnapshotPtr beta_down(bool down = true) {
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
        t.up = !down;
        t.known = true;
        ProbeResult last;
        last.outcome = down ? Outcome::timeout : Outcome::ok;
        if (!down) last.soa = SoaFields{};
        t.last = keep_last(last);
        t.consecutive_failures = down ? 3 : 0;
        z.targets.push_back(t);
    }
    s->zones.push_back(z);
    return s;
}

AlertSettings fast_settings(std::vector<ChannelConfig> channels) {
    AlertSettings a;
    a.enabled = true;
    a.rules = default_rule_settings();
    a.resolve_after = 0ms;
    a.retry_initial = 20ms;
    a.retry_max = 100ms;
    a.channels = std::move(channels);
    return a;
}

ChannelConfig channel(const std::string& type, const std::string& url) {
    ChannelConfig c;
    c.type = type;
    c.name = type;
    c.url = url;
    c.timeout = 2000ms;
    if (type == "pagerduty") c.routing_key = "R0UTINGKEY0000000000000000000000";
    return c;
}

NoticeGroup sample_group() {
    NoticeGroup g;
    g.zone = "shop.test";
    Notice firing;
    firing.alert.fingerprint = "00000000000000aa";
    firing.alert.rule = "serial_lag";
    firing.alert.severity = AlertSeverity::critical;
    firing.alert.labels = {{"zone", "shop.test"}, {"provider", "beta"}, {"vantage", "v1"}};
    firing.alert.summary = "provider beta is behind";
    firing.alert.firing_since = t0;
    firing.reason = "first notification";
    firing.at = t0;
    Notice resolved = firing;
    resolved.alert.fingerprint = "00000000000000bb";
    resolved.alert.rule = "provider_down";
    resolved.resolved = true;
    resolved.reason = "resolved";
    resolved.at = t0 + 10min;
    g.notices = {firing, resolved};
    return g;
}

}  // namespace

TEST_CASE("delivery: every HTTP status maps to delivered, retry or give up") {
    auto verdict = [](long status) { return classify(HttpResult{status, false, ""}); };
    for (long s : {200L, 201L, 202L, 204L}) CHECK(verdict(s) == DeliveryVerdict::delivered);
    for (long s : {400L, 401L, 403L, 404L, 405L, 410L, 413L, 422L}) {
        INFO(s);
        CHECK(verdict(s) == DeliveryVerdict::give_up);
    }
    for (long s : {408L, 429L, 500L, 502L, 503L, 504L}) CHECK(verdict(s) == DeliveryVerdict::retry);
    CHECK(classify(HttpResult{0, true, "Timeout was reached"}) == DeliveryVerdict::retry);
}

TEST_CASE("delivery: backoff doubles from retry_initial up to retry_max") {
    CHECK(backoff_delay(1, 1s, 5min) == 1s);
    CHECK(backoff_delay(2, 1s, 5min) == 2s);
    CHECK(backoff_delay(5, 1s, 5min) == 16s);
    CHECK(backoff_delay(30, 1s, 5min) == 5min);
}

TEST_CASE("webhook: payload fields and an HMAC-SHA256 signature the receiver can verify") {
    // RFC 4231-style known answer (HMAC-SHA256("key", "The quick brown fox ...")).
    CHECK(hmac_sha256_hex("key", "The quick brown fox jumps over the lazy dog") ==
          "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    const json payload = group_payload(sample_group(), "v1");
    auto c = channel("webhook", "http://127.0.0.1:1/hook");
    c.hmac_secret = "s3cret";
    auto reqs = webhook_requests(c, payload);
    REQUIRE(reqs.size() == 1);
    const json body = json::parse(reqs[0].body);
    CHECK(body["version"] == "1");
    CHECK(body["zone"] == "shop.test");
    CHECK(body["status"] == "firing");
    REQUIRE(body["alerts"].size() == 2);
    CHECK(body["alerts"][0]["status"] == "firing");
    CHECK(body["alerts"][0]["starts_at"] == "2027-01-15T08:00:00Z");
    CHECK(body["alerts"][1]["status"] == "resolved");
    CHECK(body["alerts"][1]["ends_at"] == "2027-01-15T08:10:00Z");
    CHECK(std::find(reqs[0].headers.begin(), reqs[0].headers.end(),
                    "X-Nswatch-Signature: sha256=" + hmac_sha256_hex("s3cret", reqs[0].body)) !=
          reqs[0].headers.end());
    // min_severity filters alerts out of the payload; nothing left = no notification.
    CHECK(group_payload(sample_group(), "v1", AlertSeverity::critical)["alerts"].size() == 2);
    NoticeGroup info_only = sample_group();
    for (auto& n : info_only.notices) n.alert.severity = AlertSeverity::info;
    CHECK(group_payload(info_only, "v1", AlertSeverity::warning).is_null());
}

TEST_CASE("channels: each service's documented format arrives at a local receiver") {
    test::TempDir dir;
    test::Receiver rx;
    const std::string db = dir.file("alerts.db");
    auto settings = fast_settings(
        {channel("webhook", rx.url("/hook")), channel("slack", rx.url("/services/T0/B0/XXXX")),
         channel("pagerduty", rx.url("/v2/enqueue")), channel("alertmanager", rx.url("/"))});
    settings.channels[0].hmac_secret = "k";
    {
        AlertStore store(db);
        std::vector<OutboxItem> items;
        for (const auto& c : settings.channels) {
            items.push_back({c.name, group_payload(sample_group(), "v1").dump()});
        }
        store.commit({}, items, real_now());
    }
    Deliverer d(db, settings);
    d.wake();
    // webhook 1 + slack 1 + pagerduty 2 (one event per alert) + alertmanager 1.
    REQUIRE(rx.wait_for(5));
    std::map<std::string, std::vector<test::ReceivedRequest>> by_path;
    for (const auto& r : rx.requests()) by_path[r.path].push_back(r);

    const auto& hook = by_path.at("/hook").at(0);
    CHECK(hook.header("X-Nswatch-Signature") == "sha256=" + hmac_sha256_hex("k", hook.body));
    CHECK(hook.header("Content-Type") == "application/json");

    const json slack = json::parse(by_path.at("/services/T0/B0/XXXX").at(0).body);
    CHECK(slack["text"] == "nswatch: shop.test: 1 firing, 1 resolved");
    REQUIRE(slack["attachments"].size() == 2);
    CHECK(slack["attachments"][0]["color"] == "#d50200");  // critical
    CHECK(slack["attachments"][1]["color"] == "#2eb886");  // resolved
    CHECK(slack["attachments"][0]["title"] == "[FIRING] serial_lag");
    CHECK(slack["attachments"][0]["text"] == "provider beta is behind");

    const auto& pd = by_path.at("/v2/enqueue");
    REQUIRE(pd.size() == 2);
    const json trigger = json::parse(pd[0].body);
    CHECK(trigger["routing_key"] == "R0UTINGKEY0000000000000000000000");
    CHECK(trigger["event_action"] == "trigger");
    CHECK(trigger["dedup_key"] == "00000000000000aa");
    CHECK(trigger["payload"]["severity"] == "critical");
    CHECK(trigger["payload"]["summary"] == "provider beta is behind");
    CHECK(trigger["payload"]["source"] == "nswatch@v1");
    const json resolve = json::parse(pd[1].body);
    CHECK(resolve["event_action"] == "resolve");
    CHECK(resolve["dedup_key"] == "00000000000000bb");
    CHECK_FALSE(resolve.contains("payload"));

    const json am = json::parse(by_path.at("/api/v2/alerts").at(0).body);
    REQUIRE(am.is_array());
    REQUIRE(am.size() == 2);
    CHECK(am[0]["labels"]["alertname"] == "serial_lag");
    CHECK(am[0]["labels"]["provider"] == "beta");
    CHECK(am[0]["annotations"]["summary"] == "provider beta is behind");
    CHECK(am[1]["endsAt"] == "2027-01-15T08:10:00Z");
    // The receiver records a request before it answers, and the four channels are delivered in
    // parallel: wait (bounded) for the last answers to be marked in the outbox.
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (d.counters().delivered < 4 && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(10ms);
    }
    CHECK(d.counters().delivered == 4);
    CHECK(AlertStore(db).counts().pending == 0);
}

TEST_CASE("delivery: a receiver down for a while gets every notification once when it returns") {
    test::TempDir dir;
    test::Receiver rx;
    const int port = rx.port();
    rx.stop();  // connection refused
    const std::string db = dir.file("alerts.db");
    auto settings =
        fast_settings({channel("webhook", "http://127.0.0.1:" + std::to_string(port) + "/hook")});
    auto snap = beta_down(true);
    {
        Deliverer d(db, settings);
        AlertEngine engine(
            db, settings, [&] { return snap; }, &d);
        const WallTime now = real_now();
        REQUIRE(engine.evaluate_once(now).size() == 1);  // provider_down fires
        snap = beta_down(false);
        REQUIRE(engine.evaluate_once(now).size() == 1);  // and resolves (resolve_after 0)
        std::this_thread::sleep_for(300ms);              // several refused attempts
        CHECK(d.counters().retried >= 2);
        CHECK(d.counters().delivered == 0);
        rx.start(port);
        rx.answer(503);  // up but failing: retried too
        std::this_thread::sleep_for(300ms);
        rx.answer(200);
        REQUIRE(rx.wait_for(2));
        std::this_thread::sleep_for(300ms);  // nothing more may arrive
    }
    auto reqs = rx.requests();
    REQUIRE(reqs.size() == 2);
    CHECK(json::parse(reqs[0].body)["status"] == "firing");
    CHECK(json::parse(reqs[1].body)["status"] == "resolved");
    auto counts = AlertStore(db).counts();
    CHECK(counts.delivered == 2);
    CHECK(counts.pending == 0);
}

TEST_CASE("delivery: a 4xx is not retried, is counted and kept visible") {
    test::TempDir dir;
    test::Receiver rx;
    rx.answer(403);
    const std::string db = dir.file("alerts.db");
    auto settings = fast_settings({channel("webhook", rx.url())});
    AlertStore(db).commit({}, {{"webhook", group_payload(sample_group(), "v1").dump()}},
                          real_now());
    Deliverer d(db, settings);
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (d.counters().given_up == 0 && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(20ms);
    }
    std::this_thread::sleep_for(500ms);  // several retry periods: none may come
    CHECK(d.counters().given_up == 1);
    CHECK(d.counters().retried == 0);
    CHECK(rx.failures() == 1);
    auto counts = AlertStore(db).counts();
    CHECK(counts.given_up == 1);
    CHECK(counts.pending == 0);
}

TEST_CASE("restart: firing alerts are restored and not paged again") {
    test::TempDir dir;
    const std::string db = dir.file("alerts.db");
    auto settings = fast_settings({channel("webhook", "http://127.0.0.1:1/hook")});
    auto snap = beta_down(true);
    {
        AlertEngine engine(
            db, settings, [&] { return snap; }, nullptr);
        REQUIRE(engine.evaluate_once(t0).size() == 1);
    }
    AlertEngine again(
        db, settings, [&] { return snap; }, nullptr);
    CHECK(again.alerts().size() == 3);  // provider_down and its two muted address alerts
    CHECK(again.evaluate_once(t0 + 1min).empty());
    CHECK(AlertStore(db).counts().pending == 1);  // the one notification, still waiting
}

TEST_CASE("restart: SIGKILL between outbox write and delivery, delivered after restart") {
    test::TempDir dir;
    const std::string db = dir.file("alerts.db");
    test::Receiver rx;
    auto settings = fast_settings({channel("webhook", rx.url())});
    // The daemon, a process of its own (tests/tools/alerts_crash_child.cpp): evaluates (outbox
    // row committed), then dies by SIGKILL before any delivery attempt.
    const std::string bin = NSWATCH_ALERTS_CRASH_BIN;
    const std::string url = rx.url();
    char* argv[] = {const_cast<char*>(bin.c_str()), const_cast<char*>(db.c_str()),
                    const_cast<char*>(url.c_str()), nullptr};
    pid_t child = -1;
    REQUIRE(posix_spawn(&child, bin.c_str(), nullptr, nullptr, argv, environ) == 0);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    INFO("child status " << status);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);
    CHECK(rx.requests().empty());
    {
        Deliverer d(db, settings);  // the restarted daemon
        REQUIRE(rx.wait_for(1));
        std::this_thread::sleep_for(200ms);
    }
    auto reqs = rx.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(json::parse(reqs[0].body)["alerts"][0]["rule"] == "provider_down");
}

TEST_CASE("secrets: no URL, routing key or HMAC key reaches a log line") {
    test::TempDir dir;
    test::Receiver rx;
    const std::string db = dir.file("alerts.db");
    const std::string slack_secret = "T0SECRET/B0SECRET/xoxSECRETTOKEN";
    auto slack = channel("slack", rx.url("/services/" + slack_secret));
    auto pd = channel("pagerduty", rx.url("/v2/enqueue"));
    pd.routing_key = "PDSECRETROUTINGKEY";
    auto hook = channel("webhook", "http://127.0.0.1:1/hook?token=HOOKSECRET");
    hook.hmac_secret = "HMACSECRET";
    auto settings = fast_settings({slack, pd, hook});

    std::ostringstream log;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    {
        auto snap = beta_down(true);
        Deliverer d(db, settings);
        AlertEngine engine(
            db, settings, [&] { return snap; }, &d);
        rx.answer(500);  // retried, logged
        engine.evaluate_once(real_now());
        std::this_thread::sleep_for(300ms);
        rx.answer(401);  // given up, logged
        std::this_thread::sleep_for(300ms);
    }
    spdlog::set_default_logger(previous);
    const std::string text = log.str();
    INFO(text);
    CHECK(text.find("given up") != std::string::npos);  // the log did say something
    for (const std::string& secret :
         {std::string("SECRET"), slack_secret, std::string("PDSECRETROUTINGKEY"),
          std::string("HMACSECRET"), std::string("HOOKSECRET")}) {
        CHECK(text.find(secret) == std::string::npos);
    }
}
