// resolver/resolution: judging resolver replies (uncached and cached paths, RFC 8198 synthesis) and
// the resolution_failing / resolution_slow / resolution_unverified conditions on a virtual clock.
#include "resolver/resolution.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

const ResolutionTime t0 = ResolutionTime{} + 1'000'000s;

ProbeResult reply(const std::string& name, uint16_t type, int rcode, double seconds = 0.01,
                  ResolutionTime at = t0) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.nameserver = "unbound";
    r.target.address = "127.64.0.1";
    r.target.vantage = "default";
    r.query.name = name;
    r.query.type = type;
    r.query.recursion_desired = true;
    r.sent_wall = at;
    r.rtt = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(seconds));
    r.rcode = rcode;
    r.ra = true;
    r.outcome = rcode == 0   ? Outcome::ok
                : rcode == 3 ? Outcome::nxdomain
                : rcode == 2 ? Outcome::servfail
                             : Outcome::refused;
    return r;
}

Record soa_record(uint32_t ttl) {
    return Record{"shop.test.", 6, ttl,
                  "ns1.alpha-dns.test. hostmaster.shop.test. 1 14400 3600 1209600 300"};
}

ProbeResult timeout(ResolutionTime at = t0) {
    ProbeResult r = reply("x.shop.test", 1, -1, 5.0, at);
    r.outcome = Outcome::timeout;
    r.rcode = -1;
    return r;
}

ResolutionSettings settings() {
    ResolutionSettings s;
    s.interval = 60s;
    s.failing_after = 2;
    s.slow_after = 1s;
    s.slow_factor = 3;
    s.recent_window = 10min;
    s.baseline_window = 6h;
    return s;
}

}  // namespace

TEST_CASE("resolution: the cache-busting label is one valid, distinct label") {
    const auto a = cache_busting_label(0x0123456789abcdefULL);
    CHECK(a == "nswatch-0123456789abcdef");
    CHECK(a.size() <= 63);
    CHECK(cache_busting_label(1) != cache_busting_label(2));
}

TEST_CASE("resolution: uncached NXDOMAIN with the zone's SOA reached the zone") {
    ProbeResult r = reply("nswatch-1.shop.test", 1, 3);
    r.authority = {soa_record(300)};
    const auto s = judge_uncached(r, "shop.test", 300u);
    CHECK(s.outcome == ResolutionOutcome::ok);
    CHECK(s.path == ResolutionPath::uncached);
    CHECK(s.resolver == "unbound");
    CHECK(s.seconds == Approx(0.01));
}

TEST_CASE("resolution: uncached wildcard answer and NODATA count as reaching the zone") {
    ProbeResult wildcard = reply("nswatch-1.shop.test", 1, 0);
    wildcard.answer = {Record{"nswatch-1.shop.test.", 1, 300, "192.0.2.1"}};
    CHECK(judge_uncached(wildcard, "shop.test", 300u).outcome == ResolutionOutcome::ok);
    CHECK(judge_uncached(wildcard, "shop.test", 300u).detail == "wildcard answer");

    ProbeResult nodata = reply("nswatch-1.shop.test", 1, 0);
    nodata.authority = {soa_record(300)};
    CHECK(judge_uncached(nodata, "shop.test", 300u).outcome == ResolutionOutcome::ok);
}

TEST_CASE("resolution: uncached NXDOMAIN without the zone's SOA is a mismatch") {
    ProbeResult r = reply("nswatch-1.shop.test", 1, 3);
    r.authority = {Record{"test.", 6, 300, "a.nic.test. h.test. 1 2 3 4 5"}};
    const auto s = judge_uncached(r, "shop.test", 300u);
    CHECK(s.outcome == ResolutionOutcome::mismatch);
    CHECK_THAT(s.detail, Catch::Contains("without the SOA of shop.test."));
}

TEST_CASE("resolution: SERVFAIL, REFUSED and timeouts are failures") {
    CHECK(judge_uncached(reply("a.shop.test", 1, 2), "shop.test", 300u).outcome ==
          ResolutionOutcome::servfail);
    CHECK(judge_uncached(reply("a.shop.test", 1, 5), "shop.test", 300u).outcome ==
          ResolutionOutcome::refused);
    CHECK(judge_uncached(timeout(), "shop.test", 300u).outcome == ResolutionOutcome::timeout);
    CHECK(is_failure(ResolutionOutcome::servfail));
    CHECK_FALSE(is_failure(ResolutionOutcome::from_cache));
    CHECK_FALSE(is_failure(ResolutionOutcome::ok));
}

TEST_CASE("resolution: RFC 8198 - AD, NSEC and a counted-down SOA TTL mean from cache") {
    ProbeResult r = reply("nswatch-1.shop.test", 1, 3);
    r.ad = true;
    r.authority = {soa_record(137), Record{"mail.shop.test.", 47, 137, "shop.test. A RRSIG NSEC"}};
    const auto s = judge_uncached(r, "shop.test", 300u);
    CHECK(s.outcome == ResolutionOutcome::from_cache);
    CHECK_THAT(s.detail, Catch::Contains("RFC 8198"));

    SECTION("a full TTL with AD and NSEC is a fresh fetch from a validating resolver") {
        r.authority[0].ttl = 300;
        CHECK(judge_uncached(r, "shop.test", 300u).outcome == ResolutionOutcome::ok);
    }
    SECTION("without the zone's negative TTL, AD and NSEC alone are reported as from cache") {
        CHECK(judge_uncached(r, "shop.test", std::nullopt).outcome ==
              ResolutionOutcome::from_cache);
    }
    SECTION("a counted-down TTL without AD is not synthesis (no validation, no RFC 8198)") {
        r.ad = false;
        CHECK(judge_uncached(r, "shop.test", 300u).outcome == ResolutionOutcome::ok);
    }
}

TEST_CASE("resolution: negative TTL is the smaller of the SOA TTL and MINIMUM") {
    SoaFields soa;
    soa.ttl = 3600;
    soa.minimum = 300;
    CHECK(negative_ttl(soa) == 300);
    soa.ttl = 60;
    CHECK(negative_ttl(soa) == 60);
}

namespace {
std::vector<AnswerComparison> authoritative_www() {
    AnswerComparison c;
    c.name = "www.shop.test.";
    c.type = 1;
    AnswerVariant v;
    v.records = {"www.shop.test. A 192.0.2.10", "www.shop.test. A 192.0.2.11"};
    v.rcode = 0;
    v.providers = {"alpha", "beta"};
    c.variants = {v};
    return {c};
}
}  // namespace

TEST_CASE("resolution: cached answers are compared with the authoritative ones, TTL ignored") {
    ProbeResult r = reply("www.shop.test", 1, 0);
    r.answer = {Record{"www.shop.test.", 1, 17, "192.0.2.11"},
                Record{"www.shop.test.", 1, 17, "192.0.2.10"}};
    auto s = judge_cached(r, authoritative_www());
    CHECK(s.outcome == ResolutionOutcome::ok);
    CHECK(s.compared);

    r.answer.pop_back();
    s = judge_cached(r, authoritative_www());
    CHECK(s.outcome == ResolutionOutcome::mismatch);
    CHECK_THAT(s.detail, Catch::Contains("192.0.2.10"));

    SECTION("no authoritative answer yet: resolved, but not compared") {
        const auto n = judge_cached(reply("mail.shop.test", 1, 0), authoritative_www());
        CHECK(n.outcome == ResolutionOutcome::ok);
        CHECK_FALSE(n.compared);
    }
}

TEST_CASE("resolution: percentile is nearest rank") {
    CHECK_FALSE(percentile({}, 0.95).has_value());
    CHECK(*percentile({0.3}, 0.95) == Approx(0.3));
    CHECK(*percentile({5, 1, 4, 2, 3}, 0.5) == Approx(3));
    std::vector<double> v;
    for (int i = 1; i <= 20; ++i) v.push_back(i);
    CHECK(*percentile(v, 0.95) == Approx(19));
}

TEST_CASE("resolution_failing: fires after failing_after uncached failures in a row") {
    const auto cfg = settings();
    ResolutionTracker t(cfg);
    auto judge = [](const ProbeResult& r) { return judge_uncached(r, "shop.test", 300u); };
    ProbeResult ok = reply("nswatch-1.shop.test", 1, 3, 0.02, t0);
    ok.authority = {soa_record(300)};
    t.observe_uncached(judge(ok));
    CHECK(evaluate_resolution_failing(t.states(), cfg, t0).empty());

    t.observe_uncached(judge(reply("nswatch-2.shop.test", 1, 2, 0.5, t0 + 60s)));
    CHECK(evaluate_resolution_failing(t.states(), cfg, t0 + 60s).empty());  // one is not enough

    t.observe_uncached(judge(timeout(t0 + 120s)));
    auto failing = evaluate_resolution_failing(t.states(), cfg, t0 + 120s);
    REQUIRE(failing.size() == 1);
    CHECK(failing[0].kind == "resolution_failing");
    CHECK(failing[0].zone == "shop.test");
    CHECK(failing[0].resolver == "unbound");
    CHECK(failing[0].vantage == "default");
    CHECK_THAT(failing[0].reason, Catch::Contains("2 times in a row"));

    SECTION("stale evidence does not keep it firing") {
        CHECK(evaluate_resolution_failing(t.states(), cfg, t0 + 120s + 10min).empty());
    }
    SECTION("one success clears it") {
        ok.sent_wall = t0 + 180s;
        t.observe_uncached(judge(ok));
        CHECK(evaluate_resolution_failing(t.states(), cfg, t0 + 180s).empty());
    }
    SECTION("a reply from cache neither clears nor extends the streak") {
        ProbeResult cached = ok;
        cached.sent_wall = t0 + 180s;
        cached.ad = true;
        cached.authority = {soa_record(10), Record{"a.shop.test.", 47, 10, "b.shop.test. A"}};
        t.observe_uncached(judge(cached));
        CHECK(evaluate_resolution_failing(t.states(), cfg, t0 + 180s).size() == 1);
        const auto unverified = evaluate_resolution_unverified(t.states(), cfg, t0 + 180s);
        REQUIRE(unverified.size() == 1);
        CHECK_THAT(unverified[0].reason, Catch::Contains("not reaching the authoritatives"));
    }
}

TEST_CASE("resolution_slow: absolute threshold and multiple of the baseline") {
    auto cfg = settings();
    ResolutionTracker t(cfg);
    auto feed = [&](double seconds, ResolutionTime at) {
        ProbeResult r = reply("nswatch-x.shop.test", 1, 3, seconds, at);
        r.authority = {soa_record(300)};
        t.observe_uncached(judge_uncached(r, "shop.test", 300u));
    };
    // An hour of 20 ms baseline, one probe a minute.
    for (int i = 0; i < 60; ++i) feed(0.020, t0 + std::chrono::minutes(i));
    const auto now = t0 + 60min;
    CHECK(evaluate_resolution_slow(t.states(), cfg, now).empty());

    SECTION("above slow_factor x baseline") {
        for (int i = 0; i < 5; ++i) feed(0.400, now + std::chrono::minutes(i));
        const auto later = now + 5min;
        const auto slow = evaluate_resolution_slow(t.states(), cfg, later);
        REQUIRE(slow.size() == 1);
        CHECK_THAT(slow[0].reason, Catch::Contains("x its baseline 20 ms"));
        const auto sum = summarize(t.states()[0], cfg, later);
        CHECK(*sum.baseline == Approx(0.020));
        CHECK(*sum.recent_p95 == Approx(0.400));
    }
    SECTION("above slow_after regardless of baseline") {
        feed(1.5, now);
        const auto slow = evaluate_resolution_slow(t.states(), cfg, now + 1s);
        REQUIRE(slow.size() == 1);
        CHECK_THAT(slow[0].reason, Catch::Contains("is above 1.00 s"));
    }
    SECTION("failures are not slowness: timeouts stay out of the p95") {
        t.observe_uncached(judge_uncached(timeout(now), "shop.test", 300u));
        CHECK(evaluate_resolution_slow(t.states(), cfg, now + 1s).empty());
    }
    SECTION("a short baseline is not trusted for the ratio") {
        ResolutionTracker fresh(cfg);
        for (int i = 0; i < 3; ++i) {
            ProbeResult r = reply("n.shop.test", 1, 3, 0.010, t0 + std::chrono::minutes(i));
            r.authority = {soa_record(300)};
            fresh.observe_uncached(judge_uncached(r, "shop.test", 300u));
        }
        ProbeResult r = reply("n.shop.test", 1, 3, 0.300, t0 + 30min);
        r.authority = {soa_record(300)};
        fresh.observe_uncached(judge_uncached(r, "shop.test", 300u));
        CHECK(evaluate_resolution_slow(fresh.states(), cfg, t0 + 30min).empty());
    }
}

TEST_CASE("resolution tracker: trims samples older than both windows, keeps states per key") {
    auto cfg = settings();
    cfg.baseline_window = 1h;
    ResolutionTracker t(cfg);
    for (int i = 0; i < 180; ++i) {
        ProbeResult r = reply("n.shop.test", 1, 3, 0.01, t0 + std::chrono::minutes(i));
        r.authority = {soa_record(300)};
        t.observe_uncached(judge_uncached(r, "shop.test", 300u));
    }
    t.trim(t0 + 180min);
    const auto states = t.states();
    REQUIRE(states.size() == 1);
    CHECK(states[0].uncached.size() == 70);  // 10 min recent + 60 min baseline
    CHECK(states[0].uncached_probes == 180);
    t.retain_zones({"other.test"});
    CHECK(t.states().empty());
}

TEST_CASE("resolution: evaluate_resolution merges and sorts every condition") {
    auto cfg = settings();
    ResolutionTracker t(cfg);
    for (int i = 0; i < 2; ++i) {
        ProbeResult r = timeout(t0 + std::chrono::minutes(i));
        r.target.nameserver = i == 0 ? "b" : "a";
        t.observe_uncached(judge_uncached(r, "shop.test", 300u));
        t.observe_uncached(judge_uncached(r, "shop.test", 300u));
    }
    const auto all = evaluate_resolution(t.states(), cfg, t0 + 1min);
    REQUIRE(all.size() == 2);
    CHECK(all[0].resolver == "a");
    CHECK(all[1].resolver == "b");
}

TEST_CASE("resolution: a failure carries the resolver's Extended DNS Error") {
    ProbeResult r = reply("a.shop.test", 1, 2);
    r.extended_errors = {{22, "no reachable authority at delegation shop.test"}};
    const auto s = judge_uncached(r, "shop.test", 300u);
    CHECK(s.outcome == ResolutionOutcome::servfail);
    CHECK(s.detail ==
          "EDE 22 (No Reachable Authority): no reachable authority at delegation "
          "shop.test");
    // Without one, the outcome's name as before.
    CHECK(judge_uncached(reply("a.shop.test", 1, 2), "shop.test", 300u).detail == "servfail");
    CHECK(judge_cached(r, {}).detail ==
          "EDE 22 (No Reachable Authority): no reachable authority at delegation shop.test");
}
