// Resolution probes through a real Unbound (tests/lab/unbound.hpp) on the lab: healthy, one
// provider frozen (users still resolve, the authoritative side sees the provider down), and every
// provider frozen (resolution_failing). The authoritative Monitor runs beside the prober, as in
// `nswatch run`, and the prober reads its snapshot.
#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "lab_env.hpp"
#include "lab_process.hpp"
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
    auto watch = z.watch.get();  // the defaults, then these
    watch.push_back(WatchName{"www", {1, 28}});
    watch.push_back(WatchName{"mail", {1}});
    z.watch = std::move(watch);
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
        INFO(to_string(s.outcome) << " in " << s.seconds << " s; last: "
                                  << (st.last_failure ? st.last_failure->detail : ""));
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
    // The resolver could not reach the zone: SERVFAIL or no answer in time, not a wrong reply.
    CHECK((st.last_uncached->outcome == ResolutionOutcome::servfail ||
           st.last_uncached->outcome == ResolutionOutcome::timeout));
    CHECK(st.consecutive_failures >= 2);
    // Unbound (`ede: yes`) says why in its SERVFAIL (RFC 8914), and the alert text carries it.
    if (st.last_uncached->outcome == ResolutionOutcome::servfail) {
        CHECK_THAT(st.last_uncached->detail, Catch::Contains("EDE "));
        CHECK_THAT(failing[0].reason, Catch::Contains("EDE "));
    }
}

namespace {

size_t append_body(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

std::string http_get(const std::string& url) {
    CURL* c = curl_easy_init();
    std::string body;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? body : std::string();
}

std::string run_capture(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

}  // namespace

TEST_CASE("resolution: nswatch run exports resolution metrics, writes history, status shows it") {
    lab::Unbound unbound;
    namespace fs = std::filesystem;
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-resolution-test");
    const std::string listen = "127.64.0.1:19353";
    std::ofstream(dir / "nswatch.yml")
        << "root_hints: " << lab::root_hints() << "\n"
        << "probe: {timeout: 400ms, interval: 1s, jitter: 0%, tcp_every: 0}\n"
        << "storage: {path: history.db}\n"
        << "http: {listen: '" << listen << "'}\n"
        << "zones:\n  - {name: shop.test, watch: [{name: www, types: [A]}]}\n"
        << "resolvers:\n  interval: 2s\n  timeout: 1s\n"
        << "  servers:\n    - {name: unbound, address: " << lab::kUnboundV4 << "}\n";
    const pid_t pid = fork();
    if (pid == 0) {
        const std::string log = (dir / "daemon.log").string();
        if (freopen(log.c_str(), "a", stderr) == nullptr) _exit(126);
        const std::string cfg = (dir / "nswatch.yml").string();
        execl(NSWATCH_BIN, NSWATCH_BIN, "run", "-c", cfg.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    REQUIRE(pid > 0);
    // Two rounds: the first may run before the monitor's first round (nothing to compare yet).
    std::string metrics;
    const std::string ok_series =
        "nswatch_resolution_probes_total{outcome=\"ok\",path=\"uncached\",resolver=\"unbound\","
        "vantage=\"default\",zone=\"shop.test\"} ";
    auto ok_count = [&] {
        const auto at = metrics.find(ok_series);
        return at == std::string::npos ? 0.0 : std::atof(metrics.c_str() + at + ok_series.size());
    };
    for (int i = 0; i < 100 && ok_count() < 2; ++i) {
        std::this_thread::sleep_for(200ms);
        metrics = http_get("http://" + listen + "/metrics");
    }
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    INFO(metrics);
    INFO(run_capture("cat " + (dir / "daemon.log").string()));
    CHECK(WIFEXITED(status));
    CHECK(ok_count() >= 2);
    CHECK(metrics.find(
              "nswatch_resolution_duration_seconds_count{path=\"cached\",resolver=\"unbound\"") !=
          std::string::npos);
    CHECK(metrics.find("nswatch_resolution_condition{condition=\"resolution_failing\","
                       "resolver=\"unbound\",vantage=\"default\",zone=\"shop.test\"} 0") !=
          std::string::npos);

    const std::string out = run_capture(std::string(NSWATCH_BIN) + " status --db " +
                                        (dir / "history.db").string() + " --json 2>&1");
    INFO(out);
    const auto j = nlohmann::json::parse(out);
    REQUIRE(j["resolution"].size() == 1);
    CHECK(j["resolution"][0]["zone"] == "shop.test");
    CHECK(j["resolution"][0]["users_can_resolve"] == "yes");
    CHECK(j["resolution"][0]["resolvers"][0]["last_uncached_outcome"] == "ok");
    CHECK(j["resolution"][0]["conditions"].empty());
    const std::string text =
        run_capture(std::string(NSWATCH_BIN) + " status --db " + (dir / "history.db").string());
    CHECK(text.find("users can resolve it: yes") != std::string::npos);
}
