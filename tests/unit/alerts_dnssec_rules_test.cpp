// keyset_mismatch and dnssec_invalid over real ZoneTracker state: what the alert says, its labels,
// holds for providers not judged, and the lifecycle on a virtual clock.
#include <catch2/catch.hpp>

#include "alerts/lifecycle.hpp"
#include "alerts/recovery_text.hpp"
#include "alerts/rules.hpp"
#include "dns/rr_types.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

const WallTime t0 = WallTime{} + 1800000000s;
const std::string kKey =
    "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmm"
    "AphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";

ProbeResult soa(const std::string& provider, const std::string& addr) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.provider = provider;
    r.target.nameserver = "ns1." + provider + ".test";
    r.target.address = addr;
    r.target.vantage = "v1";
    r.query.name = "shop.test";
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.aa = true;
    r.soa = SoaFields{};
    r.soa->serial = 7;
    return r;
}

ProbeResult dnskeys(const std::string& provider, const std::string& addr,
                    const std::vector<std::string>& flags, Outcome o = Outcome::ok) {
    ProbeResult r = soa(provider, addr);
    r.soa.reset();
    r.query.type = kTypeDnskey;
    r.outcome = o;
    for (const auto& f : flags)
        r.answer.push_back(Record{"shop.test.", kTypeDnskey, 3600, f + " 3 5 " + kKey});
    return r;
}

std::vector<Condition> active(const std::vector<Condition>& cs, const std::string& rule) {
    std::vector<Condition> out;
    for (const auto& c : cs)
        if (c.rule == rule && !c.hold) out.push_back(c);
    return out;
}

std::vector<Condition> holds(const std::vector<Condition>& cs, const std::string& rule) {
    std::vector<Condition> out;
    for (const auto& c : cs)
        if (c.rule == rule && c.hold) out.push_back(c);
    return out;
}

struct Zone {
    ZoneTracker tracker{"shop.test"};
    AlertSettings settings;
    Zone() { tracker.observe({soa("alpha", "10.0.0.1"), soa("beta", "10.0.1.1")}, t0); }
    std::vector<Condition> conditions(WallTime now) const {
        Snapshot s;
        s.vantage = "v1";
        s.zones.push_back(tracker.state());
        return evaluate_rules(s, now, settings);
    }
};

}  // namespace

TEST_CASE("keyset_mismatch: the provider and the key it lacks, not an answer_mismatch") {
    Zone z;
    z.tracker.set_answers(compare_answers(
        {dnskeys("alpha", "10.0.0.1", {"256", "257"}), dnskeys("beta", "10.0.1.1", {"257"})}));
    const auto cs = z.conditions(t0);
    const auto k = active(cs, "keyset_mismatch");
    REQUIRE(k.size() == 1);
    CHECK(k[0].labels == Labels{{"zone", "shop.test"}, {"provider", "beta"}, {"rrtype", "DNSKEY"}});
    CHECK(k[0].summary ==
          "DNSSEC key sets of shop.test differ across providers: [beta] DNSKEY "
          "lacks 60485/5 (served by alpha)");
    CHECK(k[0].for_ == 10min);
    CHECK(active(cs, "answer_mismatch").empty());
    CHECK(z.tracker.state().answers_consistent);

    // The lifecycle: pending, firing after `for`, resolved when beta serves the ZSK again.
    AlertTracker alerts{LifecycleSettings{2min, 4h}};
    alerts.evaluate(cs, t0);
    const auto fired = alerts.evaluate(z.conditions(t0 + 10min), t0 + 10min);
    REQUIRE(fired.size() == 1);
    z.tracker.set_answers(compare_answers({dnskeys("alpha", "10.0.0.1", {"256", "257"}),
                                           dnskeys("beta", "10.0.1.1", {"257", "256"})}));
    CHECK(active(z.conditions(t0 + 11min), "keyset_mismatch").empty());
    const auto resolved = alerts.evaluate(z.conditions(t0 + 15min), t0 + 15min);
    REQUIRE(resolved.size() == 1);
    CHECK(recovery_text(resolved[0].alert, &z.tracker.state(), t0 + 15min) ==
          "provider beta serves every DNSKEY key of shop.test the other providers serve again, "
          "after 15 m 0 s");
}

TEST_CASE("keyset_mismatch: a provider that did not answer is held, not cleared") {
    Zone z;
    z.tracker.set_answers(compare_answers({dnskeys("alpha", "10.0.0.1", {"256", "257"}),
                                           dnskeys("beta", "10.0.1.1", {}, Outcome::timeout)}));
    const auto cs = z.conditions(t0);
    CHECK(active(cs, "keyset_mismatch").empty());
    CHECK(holds(cs, "keyset_mismatch").size() == 6);  // 2 providers x DNSKEY, CDS, CDNSKEY
}

TEST_CASE("dnssec_invalid: bogus and expiring signatures per provider, unjudged ones held") {
    Zone z;
    ProviderSignatures alpha{"alpha", "v1", 2, {}, t0 + 240h};
    ProviderSignatures beta{
        "beta",
        "v1",
        2,
        {{"ns1.beta.test", "10.0.1.1", "shop.test. SOA", SignatureFault::bogus, "4711/13"}},
        t0 + 30h};
    z.tracker.set_signatures({alpha, beta});
    const auto cs = z.conditions(t0);
    const auto d = active(cs, "dnssec_invalid");
    REQUIRE(d.size() == 1);
    CHECK(d[0].labels == Labels{{"zone", "shop.test"}, {"provider", "beta"}, {"vantage", "v1"}});
    CHECK(d[0].summary ==
          "provider beta serves shop.test with DNSSEC that fails against its own DNSKEY set: "
          "ns1.beta.test [10.0.1.1]: shop.test. SOA RRSIG by 4711/13 does not verify (bogus); "
          "and with signatures that expire in 30.0 h, within the re-sign margin 72.0 h");
    CHECK(d[0].severity == AlertSeverity::critical);
    CHECK(holds(cs, "dnssec_invalid").empty());

    // alpha alone, its signatures running out within the margin; beta not judged this round.
    alpha.expires = t0 + 48h;
    z.tracker.set_signatures({alpha});
    const auto later = z.conditions(t0);
    const auto e = active(later, "dnssec_invalid");
    REQUIRE(e.size() == 1);
    CHECK(e[0].summary ==
          "provider alpha serves shop.test with signatures that expire in 48.0 h, within the "
          "re-sign margin 72.0 h");
    const auto h = holds(later, "dnssec_invalid");
    REQUIRE(h.size() == 1);
    CHECK(h[0].labels.at("provider") == "beta");
    z.settings.rules["dnssec_invalid"] = z.settings.rule_for("dnssec_invalid", "shop.test");
    z.settings.rules["dnssec_invalid"].threshold = 24h;
    CHECK(active(z.conditions(t0), "dnssec_invalid").empty());
}

TEST_CASE("dnssec rules: an unsigned zone, or one without probe.dnssec_ok, holds nothing") {
    Zone z;
    z.tracker.set_answers(compare_answers(
        {dnskeys("alpha", "10.0.0.1", {}), dnskeys("beta", "10.0.1.1", {}, Outcome::timeout)}));
    z.tracker.set_signatures({});
    const auto cs = z.conditions(t0);
    CHECK(holds(cs, "keyset_mismatch").empty());
    CHECK(holds(cs, "dnssec_invalid").empty());
    CHECK(active(cs, "keyset_mismatch").empty());
    CHECK(active(cs, "dnssec_invalid").empty());
}
