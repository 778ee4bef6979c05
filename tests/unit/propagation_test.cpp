// Tests for propagation/propagation: the run state machine on a virtual clock, no sockets.
#include "propagation/propagation.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

const PropagationTime kT0 = PropagationTime{} + std::chrono::hours(24 * 365 * 56);

Target target(const std::string& provider, const std::string& address) {
    Target t;
    t.zone = "shop.test";
    t.nameserver = "ns1." + provider + "-dns.test";
    t.address = address;
    t.provider = provider;
    t.vantage = "default";
    return t;
}

std::vector<Target> lab_targets() {
    return {target("beta", "127.53.2.1"), target("beta", "127.53.2.2"),
            target("gamma", "127.53.3.1")};
}

ProbeResult answer(const Target& t, uint32_t serial, PropagationTime sent) {
    ProbeResult r;
    r.target = t;
    r.sent_wall = sent;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.soa = SoaFields{};
    r.soa->serial = serial;
    return r;
}

PropagationSettings fast() {
    PropagationSettings s;
    s.first_interval = 250ms;
    s.max_interval = 2s;
    s.backoff = 2;
    s.deadline = 10s;
    return s;
}

}  // namespace

TEST_CASE("propagation: every address probed at once, then on a growing cadence", "[propagation]") {
    PropagationRun run("shop.test", 5u, 4u, kT0, "notify", lab_targets(), fast());
    auto due = run.due(kT0);
    REQUIRE(due.size() == 3);
    CHECK(run.due(kT0 + 1s).empty());  // all in flight: never two probes to one address
    for (const auto& t : due) run.observe(answer(t, 4, kT0));
    CHECK(run.due(kT0 + 249ms).empty());
    CHECK(run.due(kT0 + 250ms).size() == 3);
    for (const auto& t : lab_targets()) run.observe(answer(t, 4, kT0 + 250ms));
    // Second gap doubles: 250 ms -> 500 ms.
    CHECK(run.next_wakeup() == kT0 + 750ms);
    CHECK(run.due(kT0 + 749ms).empty());
    CHECK(run.due(kT0 + 750ms).size() == 3);
}

TEST_CASE("propagation: seconds per address and per provider, providers reported once",
          "[propagation]") {
    auto targets = lab_targets();
    PropagationRun run("shop.test", 5u, 4u, kT0, "notify", targets, fast());
    run.due(kT0);
    run.observe(answer(targets[0], 5, kT0));        // beta 1: already there
    run.observe(answer(targets[1], 4, kT0));        // beta 2: not yet
    run.observe(answer(targets[2], 4, kT0));        // gamma: not yet
    CHECK(run.take_completed_providers().empty());  // beta waits for its second address
    run.due(kT0 + 250ms);
    run.observe(answer(targets[1], 5, kT0 + 250ms));  // beta done at 0.25 s
    run.observe(answer(targets[2], 4, kT0 + 250ms));
    auto done = run.take_completed_providers();
    REQUIRE(done.size() == 1);
    CHECK(done[0].provider == "beta");
    CHECK(done[0].seconds == Approx(0.25));
    CHECK(done[0].slowest_address == "127.53.2.2");
    CHECK(run.take_completed_providers().empty());
    CHECK_FALSE(run.complete());
    run.due(kT0 + 750ms);
    run.observe(answer(targets[2], 6, kT0 + 750ms));  // newer than asked also counts
    REQUIRE(run.complete());
    CHECK(run.finished(kT0 + 751ms));
    done = run.take_completed_providers();
    REQUIRE(done.size() == 1);
    CHECK(done[0].provider == "gamma");
    CHECK(done[0].seconds == Approx(0.75));
    REQUIRE(run.addresses()[1].last_old);
    CHECK(*run.addresses()[1].last_old == kT0);  // the uncertainty window: (0, 0.25]
}

TEST_CASE("propagation: a blocked provider never completes, the deadline ends the run",
          "[propagation]") {
    auto targets = lab_targets();
    PropagationRun run("shop.test", 5u, 4u, kT0, "notify", targets, fast());
    PropagationTime now = kT0;
    int gamma_probes = 0;
    while (!run.finished(now)) {
        for (const auto& t : run.due(now)) {
            if (t.provider == "gamma") ++gamma_probes;
            run.observe(answer(t, t.provider == "beta" ? 5 : 4, now));
        }
        now = run.next_wakeup();
    }
    CHECK(now == kT0 + 10s);
    CHECK_FALSE(run.complete());
    // 0, .25, .75, 1.75, 3.75, 5.75, 7.75, 9.75: the gap stops growing at max_interval.
    CHECK(gamma_probes == 8);
    const auto providers = run.providers();
    REQUIRE(providers.size() == 2);
    CHECK(providers[0].seconds == Approx(0));
    CHECK_FALSE(providers[1].seconds);
    CHECK(providers[1].served == 0);
    CHECK(providers[1].slowest_address == "127.53.3.1");
    CHECK(run.due(now).empty());
}

TEST_CASE("propagation: failed probes keep the address waiting", "[propagation]") {
    auto targets = lab_targets();
    PropagationRun run("shop.test", 5u, 4u, kT0, "notify", {targets[0]}, fast());
    run.due(kT0);
    ProbeResult timeout;
    timeout.target = targets[0];
    timeout.outcome = Outcome::timeout;
    run.observe(timeout);
    CHECK_FALSE(run.complete());
    CHECK(run.due(kT0 + 250ms).size() == 1);
}

TEST_CASE("propagation: without a serial, the first one newer than the baseline is the target",
          "[propagation]") {
    auto targets = lab_targets();
    PropagationRun run("shop.test", std::nullopt, 4u, kT0, "notify", targets, fast());
    run.due(kT0);
    run.observe(answer(targets[0], 4, kT0));
    CHECK_FALSE(run.serial());
    run.observe(answer(targets[1], 7, kT0 + 10ms));
    REQUIRE(run.serial());
    CHECK(*run.serial() == 7u);
    CHECK(run.addresses()[1].served);
    CHECK_FALSE(run.addresses()[0].served);
}

TEST_CASE("propagation: serial arithmetic wraps (RFC 1982)", "[propagation]") {
    auto targets = lab_targets();
    PropagationRun run("shop.test", 2u, 4294967295u, kT0, "poll", {targets[0]}, fast());
    run.due(kT0);
    run.observe(answer(targets[0], 3, kT0 + 100ms));
    CHECK(run.complete());
}

TEST_CASE("propagation: a late result of an address not in the run is ignored", "[propagation]") {
    PropagationRun run("shop.test", 5u, 4u, kT0, "notify", lab_targets(), fast());
    run.observe(answer(target("delta", "192.0.2.1"), 5, kT0));
    CHECK(run.addresses().size() == 3);
    CHECK_FALSE(run.complete());
}
