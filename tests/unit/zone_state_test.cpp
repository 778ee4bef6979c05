// ZoneTracker: serial lag in versions and seconds, rise/fall health, providers, on a virtual clock.
#include "monitor/zone_state.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

ProbeResult soa(const std::string& provider, const std::string& ns, const std::string& addr,
                std::optional<uint32_t> serial, Transport t = Transport::udp) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.provider = provider;
    r.target.nameserver = ns;
    r.target.address = addr;
    r.target.transport = t;
    r.target.vantage = "v1";
    if (serial) {
        r.outcome = Outcome::ok;
        r.rcode = 0;
        r.aa = true;
        r.soa = SoaFields{};
        r.soa->serial = *serial;
    } else {
        r.outcome = Outcome::timeout;
    }
    return r;
}

const TargetState& target(const ZoneState& s, const std::string& addr) {
    for (const auto& t : s.targets) {
        if (t.target.address == addr) return t;
    }
    FAIL("no target " << addr);
    throw;
}

const ProviderState& provider(const ZoneState& s, const std::string& name) {
    for (const auto& p : s.providers) {
        if (p.provider == name) return p;
    }
    FAIL("no provider " << name);
    throw;
}

}  // namespace

TEST_CASE(
    "zone tracker: a secondary that stays behind accumulates lag seconds from first sighting") {
    ZoneTracker z("shop.test");
    const WallTime t0 = WallTime{} + 1000000s;
    z.observe({soa("alpha", "ns1.alpha", "10.0.0.1", 10), soa("beta", "ns1.beta", "10.0.0.2", 10)},
              t0);
    CHECK(z.state().newest_serial == 10u);
    CHECK(target(z.state(), "10.0.0.2").serial_state == SerialState::current);

    z.observe({soa("alpha", "ns1.alpha", "10.0.0.1", 12), soa("beta", "ns1.beta", "10.0.0.2", 10)},
              t0 + 60s);
    z.observe({soa("alpha", "ns1.alpha", "10.0.0.1", 12), soa("beta", "ns1.beta", "10.0.0.2", 10)},
              t0 + 150s);
    const auto& beta = target(z.state(), "10.0.0.2");
    CHECK(beta.serial_state == SerialState::behind);
    CHECK(beta.behind_by == 2);
    CHECK(beta.lag_seconds == Approx(90.0));
    CHECK(provider(z.state(), "beta").lagging);
    CHECK(provider(z.state(), "beta").max_lag_seconds == Approx(90.0));
    CHECK_FALSE(provider(z.state(), "alpha").lagging);

    z.observe({soa("alpha", "ns1.alpha", "10.0.0.1", 12), soa("beta", "ns1.beta", "10.0.0.2", 12)},
              t0 + 200s);
    CHECK(target(z.state(), "10.0.0.2").serial_state == SerialState::current);
    CHECK(target(z.state(), "10.0.0.2").lag_seconds == 0);
    CHECK_FALSE(provider(z.state(), "beta").lagging);
}

TEST_CASE("zone tracker: a server that times out is down after `fall` failures, never lagging") {
    ZoneTracker z("shop.test", HealthThresholds{2, 3});
    const WallTime t0 = WallTime{} + 1000000s;
    z.observe({soa("alpha", "a", "10.0.0.1", 5), soa("beta", "b", "10.0.0.2", 5)}, t0);
    for (int i = 1; i <= 2; ++i) {
        z.observe({soa("alpha", "a", "10.0.0.1", 6), soa("beta", "b", "10.0.0.2", std::nullopt)},
                  t0 + i * 10s);
        CHECK(target(z.state(), "10.0.0.2").up);
    }
    z.observe({soa("alpha", "a", "10.0.0.1", 6), soa("beta", "b", "10.0.0.2", std::nullopt)},
              t0 + 30s);
    const auto& b = target(z.state(), "10.0.0.2");
    CHECK_FALSE(b.up);
    CHECK(b.serial_state == SerialState::no_answer);
    CHECK(b.lag_seconds == 0);
    CHECK(b.consecutive_failures == 3);
    CHECK_FALSE(provider(z.state(), "beta").up);
    CHECK_FALSE(provider(z.state(), "beta").lagging);

    // Rise: one success is not enough, two are.
    z.observe({soa("beta", "b", "10.0.0.2", 6)}, t0 + 40s);
    CHECK_FALSE(target(z.state(), "10.0.0.2").up);
    z.observe({soa("beta", "b", "10.0.0.2", 6)}, t0 + 50s);
    CHECK(target(z.state(), "10.0.0.2").up);
    CHECK(provider(z.state(), "beta").up);
}

TEST_CASE("zone tracker: with a primary named, a secondary ahead of it is flagged") {
    ZoneTracker z("shop.test", {}, std::string("ns1.alpha"));
    const WallTime t0 = WallTime{} + 1000000s;
    z.observe({soa("alpha", "ns1.alpha", "10.0.0.1", 7), soa("beta", "ns1.beta", "10.0.0.2", 9)},
              t0);
    CHECK(target(z.state(), "10.0.0.2").serial_state == SerialState::ahead_of_primary);
    CHECK(z.state().has_primary);
    CHECK(target(z.state(), "10.0.0.1").serial_state == SerialState::current);
}

TEST_CASE("zone tracker: serial arithmetic wraps (RFC 1982)") {
    ZoneTracker z("shop.test");
    const WallTime t0 = WallTime{} + 1000000s;
    z.observe({soa("a", "a", "10.0.0.1", 0xFFFFFFFFu), soa("b", "b", "10.0.0.2", 0xFFFFFFFFu)}, t0);
    z.observe({soa("a", "a", "10.0.0.1", 2), soa("b", "b", "10.0.0.2", 0xFFFFFFFFu)}, t0 + 5s);
    CHECK(z.state().newest_serial == 2u);
    CHECK(target(z.state(), "10.0.0.2").behind_by == 3);
}

TEST_CASE("zone tracker: a shared state never changes, the next round works on a copy") {
    ZoneTracker z("shop.test");
    const WallTime t0 = WallTime{} + 1000000s;
    z.observe({soa("alpha", "ns1.alpha", "10.0.0.1", 10), soa("beta", "ns1.beta", "10.0.0.2", 10)},
              t0);
    const auto published = z.share();
    CHECK(published.get() == &z.state());  // shared, not copied

    z.observe({soa("alpha", "ns1.alpha", "10.0.0.1", 11), soa("beta", "ns1.beta", "10.0.0.2", 10)},
              t0 + 60s);
    CHECK(published.get() != &z.state());
    CHECK(published->newest_serial == 10u);
    CHECK(published->rounds == 1);
    CHECK(target(*published, "10.0.0.2").serial_state == SerialState::current);
    CHECK(z.state().newest_serial == 11u);
    CHECK(z.state().rounds == 2);
    CHECK(target(z.state(), "10.0.0.2").serial_state == SerialState::behind);

    // Not shared since: the next change is made in place.
    const ZoneState* before = &z.state();
    z.set_delegation(DelegationState{false, {"ns9.gone."}, {}, t0, "", MissingReason::none, ""});
    CHECK(&z.state() == before);
    CHECK(published->delegation.only_in_parent.empty());
}

TEST_CASE("zone tracker: the last result is kept compact, without the extra sections") {
    ZoneTracker z("shop.test");
    ProbeResult r = soa("alpha", "ns1.alpha", "10.0.0.1", 10);
    r.answer = {Record{"shop.test.", 6, 3600, "ns1.alpha. h. 10 1 1 1 1"}};
    r.authority = {Record{"shop.test.", 2, 3600, "ns1.alpha."}};
    r.additional = {Record{"ns1.alpha.", 1, 3600, "10.0.0.1"}};
    r.nsid = "node-7";
    z.observe({r}, WallTime{} + 5s);
    const TargetState& t = target(z.state(), "10.0.0.1");
    CHECK(t.target == r.target);
    CHECK(t.last.answer() == r.answer);  // RRSIGs in the answer feed dnssec_signature_expiry
    CHECK(t.last.nsid() == "node-7");
    CHECK(t.last.soa() == r.soa);
    ProbeResult shown = r;  // what the status API shows: all but the extra sections
    shown.authority.clear();
    shown.additional.clear();
    CHECK(to_probe_result(t.last, t.target.full()) == shown);
}

TEST_CASE("zone tracker: targets that got the same reply share one copy of it") {
    ZoneTracker z("shop.test");
    auto with_answer = [](ProbeResult r) {
        r.answer = {Record{"shop.test.", 6, 3600, "ns1.alpha. h. 10 1 1 1 1"}};
        return r;
    };
    ProbeResult udp = with_answer(soa("alpha", "ns1.alpha", "10.0.0.1", 10));
    ProbeResult tcp = udp;
    tcp.target.transport = Transport::tcp;
    ProbeResult other = with_answer(soa("beta", "ns1.beta", "10.0.1.1", 10));
    ProbeResult behind = soa("gamma", "ns1.gamma", "10.0.2.1", 9);
    z.observe({udp, tcp, other, behind}, WallTime{} + 5s);
    const ZoneState& s = z.state();
    REQUIRE(s.targets.size() == 4);
    const auto& shared = target(s, "10.0.0.1").last.reply;
    REQUIRE(shared != nullptr);
    for (const auto& t : s.targets) {
        if (t.target.address != "10.0.2.1") CHECK(t.last.reply == shared);
    }
    CHECK(target(s, "10.0.2.1").last.reply != shared);  // another serial: its own
    CHECK(target(s, "10.0.2.1").last.soa()->serial == 9);

    // The next round reuses the copy the targets already hold.
    z.observe({udp, other}, WallTime{} + 65s);
    CHECK(target(z.state(), "10.0.1.1").last.reply == shared);
}

TEST_CASE("health: rise and fall thresholds, fed only booleans") {
    Health h(HealthThresholds{2, 3});
    CHECK(h.up());
    CHECK_FALSE(h.feed(false));
    CHECK_FALSE(h.feed(false));
    CHECK(h.feed(false));  // third failure: down
    CHECK_FALSE(h.up());
    CHECK_FALSE(h.feed(true));
    CHECK_FALSE(h.feed(false));  // a failure resets the rise count
    CHECK_FALSE(h.feed(true));
    CHECK(h.feed(true));
    CHECK(h.up());
}

TEST_CASE("zone tracker: the kept answer comparison has records and providers, not servers") {
    ZoneTracker z("shop.test");
    AnswerComparison c;
    c.name = "www.shop.test.";
    c.type = 1;
    c.ttl_differs = true;
    c.ttl_notes = {"www.shop.test. type 1: TTL 300 at alpha; TTL 600 at beta"};
    c.variants = {AnswerVariant{{"www.shop.test. 1 192.0.2.1"},
                                {"alpha", "beta"},
                                {"ns1.alpha [10.0.0.1]", "ns1.beta [10.0.1.1]"},
                                0}};
    z.set_answers({c});
    const ZoneState& s = z.state();
    CHECK(s.answers_consistent);
    CHECK(s.ttl_notes == c.ttl_notes);
    REQUIRE(s.answers.size() == 1);
    const auto kept = s.answers.expand();
    REQUIRE(kept.size() == 1);
    REQUIRE(kept[0].variants.size() == 1);
    CHECK(kept[0].variants[0].records == c.variants[0].records);
    CHECK(kept[0].variants[0].providers == c.variants[0].providers);
    CHECK(kept[0].variants[0].servers.empty());
    CHECK(kept[0].ttl_notes.empty());
    CHECK(kept[0].ttl_differs);
}

TEST_CASE("target state: RTTs are kept in 0.1 ms units, saturating at 6.5535 s") {
    TargetState t;
    for (int i = 0; i < 4; ++i) t.add_rtt(0.01234);
    CHECK_FALSE(t.rtt_p95());  // fewer than kMinRttSamples
    t.add_rtt(0.01236);
    REQUIRE(t.rtt_p95());
    CHECK(*t.rtt_p95() == Approx(0.0124));  // rounded to the nearest 0.1 ms
    for (int i = 0; i < 20; ++i) t.add_rtt(30.0);
    CHECK(*t.rtt_p95() == Approx(6.5535));
    CHECK(t.rtt_samples == kRttWindow);
}

TEST_CASE("target state: stays compact (80,000 of them at 10,000 zones)") {
    CHECK(sizeof(KeptTarget) <= 48);
    CHECK(sizeof(TargetState) <= 240);
}

TEST_CASE("health: unknown until evidence, the first answer is not a change, fall failures are") {
    Health h(HealthThresholds{2, 2});
    CHECK(h.up());
    CHECK_FALSE(h.known());
    CHECK_FALSE(h.feed(true));  // unknown -> up: nothing was wrong
    CHECK(h.known());
    Health d(HealthThresholds{2, 2});
    CHECK_FALSE(d.feed(false));
    CHECK_FALSE(d.known());  // one failure is no verdict
    CHECK(d.feed(false));
    CHECK(d.known());
    CHECK_FALSE(d.up());
}

TEST_CASE("zone tracker: the provider verdict rests on UDP, TCP failing alone is not down") {
    ZoneTracker z("shop.test", HealthThresholds{2, 2});
    const WallTime t0 = WallTime{} + 1000000s;
    auto round = [&](bool udp_ok, bool tcp_ok, WallTime at) {
        return z.observe(
            {soa("gamma", "ns1", "10.0.2.1", udp_ok ? std::optional<uint32_t>(5) : std::nullopt),
             soa("gamma", "ns1", "10.0.2.1", tcp_ok ? std::optional<uint32_t>(5) : std::nullopt,
                 Transport::tcp)},
            at);
    };
    CHECK(round(true, true, t0).empty());
    CHECK(provider(z.state(), "gamma").known);
    round(true, false, t0 + 10s);
    auto changes = round(true, false, t0 + 20s);
    REQUIRE(changes.size() == 1);  // the TCP target went down; the provider did not
    CHECK(changes[0].transport == Transport::tcp);
    CHECK_FALSE(changes[0].up);
    CHECK(provider(z.state(), "gamma").up);
    CHECK(changes[0].describe() ==
          "shop.test: ns1 10.0.2.1 tcp (provider gamma, vantage v1) is down: 2 failures in a row, "
          "last timeout");

    // UDP down too: the address and then the provider go down, each reported once.
    round(false, false, t0 + 30s);
    changes = round(false, false, t0 + 40s);
    REQUIRE(changes.size() == 2);
    CHECK(changes[1].address.empty());
    CHECK(changes[1].describe() ==
          "shop.test: provider gamma is down: none of its addresses answers over UDP");
    CHECK_FALSE(provider(z.state(), "gamma").up);
    CHECK(round(false, false, t0 + 50s).empty());
    CHECK(round(true, false, t0 + 60s).empty());  // one answer: not yet up (rise 2)
    changes = round(true, false, t0 + 70s);
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].up);
    CHECK(changes[1].describe() ==
          "shop.test: provider gamma is up: an address answers over UDP again");
    CHECK(target(z.state(), "10.0.2.1").since == t0 + 70s);
}

TEST_CASE("zone tracker: a restored first-seen time continues the lag clock after a restart") {
    const WallTime t0 = WallTime{} + 1000000s;
    ZoneTracker before("shop.test");
    before.observe({soa("alpha", "a", "10.0.0.1", 5), soa("beta", "b", "10.0.0.2", 5)}, t0);
    before.observe({soa("alpha", "a", "10.0.0.1", 6), soa("beta", "b", "10.0.0.2", 5)}, t0 + 60s);
    REQUIRE(before.state().serials_in_flight.size() == 2);
    const auto memory = before.serial_first_seen();

    ZoneTracker after("shop.test");
    after.restore_serial_first_seen(memory);
    after.observe({soa("alpha", "a", "10.0.0.1", 6), soa("beta", "b", "10.0.0.2", 5)}, t0 + 300s);
    CHECK(target(after.state(), "10.0.0.2").lag_seconds == Approx(240));  // since t0 + 60 s
    // Once every server serves the newest serial, nothing is left in flight to keep.
    after.observe({soa("alpha", "a", "10.0.0.1", 6), soa("beta", "b", "10.0.0.2", 6)}, t0 + 360s);
    CHECK(after.state().serials_in_flight.empty());
}
