// Resolution probes through a real Unbound (tests/lab/unbound.hpp) on the lab: healthy, one
// provider frozen (users still resolve, the authoritative side sees the provider down), and every
// provider frozen (resolution_failing). The authoritative Monitor runs beside the prober, as in
// `nswatch run`, and the prober reads its snapshot.
#include <catch2/catch.hpp>
#include <thread>

#include "lab_env.hpp"
#include "monitor/monitor.hpp"
#include "resolver/resolver_prober.hpp"
#include "unbound.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

Config lab_config() {
    Config c;
    c.root_hints = lab::root_hints();
    c.probe.timeout = 500ms;
    c.probe.interval = 1s;
    c.probe.jitter = 0;
    c.probe.tcp_every = 0;
    c.probe.ipv6 = false;
    c.discovery.timeout = 1s;
    c.providers = {{"alpha", {"*.alpha-dns.test"}},
                   {"beta", {"*.beta-dns.test"}},
                   {"gamma", {"*.gamma-dns.test"}}};
    ZoneConfig z;
    z.name = "shop.test";
    z.watch.push_back(WatchName{"www", {1, 28}});
    z.watch.push_back(WatchName{"mail", {1}});
    c.zones = {z};
    ResolverConfig r;
    r.name = "unbound";
    r.address = std::string(lab::kUnboundV4);
    c.resolution.resolvers = {r};
    c.resolution.timeout = 3s;
    c.resolution.interval = 4s;
    c.resolution.failing_after = 2;
    return c;
}

// The Monitor on its own thread, as `nswatch run` has it.
class RunningMonitor {
  public:
    explicit RunningMonitor(const Config& c) : monitor_(c, {}) {
        thread_ = std::thread([this] { monitor_.run(stop_, reload_, [] { return Config{}; }); });
    }
    ~RunningMonitor() {
        stop_ = true;
        thread_.join();
    }
    Monitor& monitor() { return monitor_; }

    /// Wait until the zone has answers from a completed round and `pred(zone)` holds.
    template <typename Pred>
    const ZoneState wait_for(Pred pred, std::chrono::seconds limit = 30s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            auto snap = monitor_.snapshot();
            for (const auto& z : snap->zones) {
                if (z.rounds > 0 && !z.answers.empty() && pred(z)) return z;
            }
            std::this_thread::sleep_for(200ms);
        }
        FAIL("the monitor's snapshot never reached the expected state");
        throw;
    }

  private:
    Monitor monitor_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> reload_{false};
    std::thread thread_;
};

const ProviderState* provider(const ZoneState& z, std::string_view name) {
    for (const auto& p : z.providers) {
        if (p.provider == name) return &p;
    }
    return nullptr;
}

std::vector<ResolutionCondition> of_kind(const ResolutionView& v, std::string_view kind) {
    std::vector<ResolutionCondition> out;
    for (const auto& c : v.conditions) {
        if (c.kind == kind) out.push_back(c);
    }
    return out;
}

}  // namespace

TEST_CASE("resolution: healthy lab - cached and uncached paths succeed, answers match") {
    lab::Unbound unbound;
    const Config config = lab_config();
    RunningMonitor mon(config);
    mon.wait_for([](const ZoneState& z) { return z.answers_consistent; });

    std::vector<ResolutionSample> seen;
    ResolverProber prober(config, [&] { return mon.monitor().snapshot(); },
                          {[&](const std::vector<ResolutionSample>& s) {
                              seen.insert(seen.end(), s.begin(), s.end());
                          }});
    prober.run_round();
    prober.run_round();

    const auto view = prober.view();
    REQUIRE(view->states.size() == 1);
    const ResolverZoneState& st = view->states[0];
    INFO(unbound.log());
    CHECK(st.zone == "shop.test");
    CHECK(st.resolver == "unbound");
    REQUIRE(st.last_uncached);
    CHECK(st.last_uncached->outcome == ResolutionOutcome::ok);
    CHECK(st.last_uncached->rcode == 3);  // NXDOMAIN with the zone's SOA
    CHECK(st.uncached.size() == 2);
    // Watched: apex NS A AAAA MX TXT (SOA is skipped), www A AAAA, mail A.
    CHECK(st.cached.size() == 8);
    for (const auto& s : st.cached) {
        INFO(s.name << " " << s.type << ": " << s.detail);
        CHECK(s.outcome == ResolutionOutcome::ok);
        CHECK(s.compared);  // every watched question had an authoritative answer to match
    }
    CHECK(view->conditions.empty());
    // Each round put exactly one uncached name on the resolver, each a different one.
    size_t uncached = 0;
    std::set<std::string> names;
    for (const auto& s : seen) {
        if (s.path == ResolutionPath::uncached) {
            ++uncached;
            names.insert(s.name);
        }
    }
    CHECK(uncached == 2);
    CHECK(names.size() == 2);
    CHECK(prober.probes_sent() == 2 * (1 + 8));
}

TEST_CASE("resolution: beta frozen - users still resolve, no resolution_failing, beta down") {
    lab::Unbound unbound;
    const Config config = lab_config();
    RunningMonitor mon(config);
    mon.wait_for([](const ZoneState& z) { return z.answers_consistent; });
    ResolverProber prober(config, [&] { return mon.monitor().snapshot(); });
    prober.run_round();  // baseline while healthy

    lab::Frozen frozen("beta");
    // Enough rounds for a streak to have built up if the path were failing.
    for (int i = 0; i < 3; ++i) prober.run_round();
    const auto view = prober.view();
    REQUIRE(view->states.size() == 1);
    const auto& st = view->states[0];
    INFO(unbound.log());
    for (const auto& s : st.uncached) {
        INFO(s.name << ": " << to_string(s.outcome) << " " << s.detail << " in " << s.seconds);
        CHECK(s.outcome == ResolutionOutcome::ok);
    }
    CHECK(st.consecutive_failures == 0);
    CHECK(of_kind(*view, "resolution_failing").empty());

    // The authoritative side names the dead provider.
    const ZoneState z = mon.wait_for([](const ZoneState& z) {
        const ProviderState* beta = provider(z, "beta");
        return beta != nullptr && !beta->up;
    });
    CHECK(provider(z, "alpha")->up);
    CHECK(provider(z, "gamma")->up);
}

TEST_CASE("resolution: every provider frozen - resolution_failing for the zone") {
    lab::Unbound unbound;
    const Config config = lab_config();
    RunningMonitor mon(config);
    mon.wait_for([](const ZoneState& z) { return z.answers_consistent; });
    ResolverProber prober(config, [&] { return mon.monitor().snapshot(); });
    prober.run_round();
    REQUIRE(prober.view()->conditions.empty());

    lab::Frozen alpha("alpha");
    lab::Frozen beta("beta");
    lab::Frozen gamma("gamma");
    prober.run_round();
    prober.run_round();
    const auto view = prober.view();
    const auto failing = of_kind(*view, "resolution_failing");
    INFO(unbound.log());
    REQUIRE(failing.size() == 1);
    CHECK(failing[0].zone == "shop.test");
    CHECK(failing[0].resolver == "unbound");
    CHECK(failing[0].vantage == "default");
    const auto& st = view->states[0];
    CHECK(is_failure(st.last_uncached->outcome));
    CHECK(st.consecutive_failures >= 2);
}
