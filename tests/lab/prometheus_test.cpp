// The Grafana dashboard against a real Prometheus: `nswatch run` probes the lab, Debian's
// prometheus scrapes it every second, and every query of grafana/nswatch-dashboard.json (template
// variables substituted the way Grafana would) must return at least one series with a value.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "lab_env.hpp"
#include "prometheus_env.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using nswatch::lab::prom::Child;

namespace {

constexpr const char* kNswatchListen = "127.0.0.1:19353";
constexpr const char* kPrometheusListen = "127.0.0.1:19390";

json instant_query(const std::string& promql) {
    return nswatch::lab::prom::instant_query(kPrometheusListen, promql);
}

fs::path scratch() {
    return nswatch::lab::scratch_dir("nswatch-prometheus-test");
}

}  // namespace

TEST_CASE("prometheus: every query of the Grafana dashboard returns data on the healthy lab",
          "[grafana][prometheus]") {
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(std::system("command -v prometheus >/dev/null") == 0);  // Debian's prometheus package

    nswatch::lab::wait_sync(20);
    const fs::path dir = scratch();
    std::ofstream(dir / "nswatch.yml")
        << "root_hints: " << nswatch::lab::root_hints() << "\n"
        << "probe: {timeout: 400ms, interval: 1s, jitter: 0%, tcp_every: 2}\n"
        << "discovery: {interval: 1h, timeout: 500ms}\n"
        << "storage: {path: " << (dir / "history.db").string() << "}\n"
        << "http: {listen: '" << kNswatchListen << "'}\n"
        << "providers:\n"
        << "  - {name: alpha, patterns: ['*.alpha-dns.test']}\n"
        << "  - {name: beta, patterns: ['*.beta-dns.test']}\n"
        << "  - {name: gamma, patterns: ['*.gamma-dns.test']}\n"
        << "zones:\n  - {name: shop.test, primary: ns1.alpha-dns.test}\n";
    std::ofstream(dir / "prometheus.yml")
        << "global: {scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s}\n"
        << "scrape_configs:\n"
        << "  - job_name: nswatch\n"
        << "    static_configs: [{targets: ['" << kNswatchListen << "']}]\n";

    Child nswatch({NSWATCH_BIN, "run", "-c", (dir / "nswatch.yml").string()}, dir / "nswatch.log");
    Child prometheus(nswatch::lab::prom::prometheus_argv(dir / "prometheus.yml", dir / "tsdb",
                                                         kPrometheusListen),
                     dir / "prometheus.log");

    // Enough scrapes for rate() over 10 s and histogram_quantile: at least 6 successful ones.
    bool scraped = false;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!scraped && std::chrono::steady_clock::now() < deadline) {
        if (!nswatch.running() || !prometheus.running()) break;
        const json r = instant_query("count_over_time(nswatch_probes_total{outcome=\"ok\"}[1m])");
        scraped = !r.is_null() && !r.empty() && std::stod(r[0]["value"][1].get<std::string>()) >= 6;
        if (!scraped) std::this_thread::sleep_for(250ms);
    }
    INFO("nswatch log:\n" << nswatch.log() << "\nprometheus log:\n" << prometheus.log());
    REQUIRE(nswatch.running());
    REQUIRE(prometheus.running());
    REQUIRE(scraped);
    const json up = instant_query("up{job=\"nswatch\"}");
    REQUIRE(up.size() == 1);
    REQUIRE(up[0]["value"][1] == "1");

    // A new serial on the primary, so the propagation panel has a run to show (every provider).
    nswatch::lab::bump();
    bool propagated = false;
    const auto propagation_deadline = std::chrono::steady_clock::now() + 15s;
    while (!propagated && std::chrono::steady_clock::now() < propagation_deadline) {
        const json r = instant_query("nswatch_propagation_last_seconds");
        propagated = !r.is_null() && r.size() == 3;
        if (!propagated) std::this_thread::sleep_for(250ms);
    }
    REQUIRE(propagated);

    // Template variables must find the lab's zone, providers and vantage; every panel query data.
    auto variable_values = nswatch::lab::prom::check_dashboard_queries(
        kPrometheusListen, std::string(nswatch::lab::kZone), "beta", "default");
    using Catch::Matchers::VectorContains;
    CHECK_THAT(variable_values["zone"], VectorContains(std::string(nswatch::lab::kZone)));
    CHECK_THAT(variable_values["provider"], VectorContains(std::string("alpha")));
    CHECK_THAT(variable_values["provider"], VectorContains(std::string("beta")));
    CHECK_THAT(variable_values["provider"], VectorContains(std::string("gamma")));
    CHECK_THAT(variable_values["vantage"], VectorContains(std::string("default")));

    prometheus.stop();
    nswatch.stop();
    CHECK(std::chrono::steady_clock::now() - started < 55s);
}
