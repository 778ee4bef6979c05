// The daemon's scheduled zone diff on the lab: `nswatch run` with `diff: {interval: 2s}` transfers
// shop.test from alpha (BIND, the reference), beta (NSD) and gamma (Knot) and compares them. With
// transfers to beta blocked and the zone bumped, beta keeps the old lab-bump TXT: a
// zone_diff_mismatch naming exactly that record reaches a local webhook receiver; once beta
// catches up it resolves.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../unit/alerts_receiver.hpp"
#include "lab_env.hpp"
#include "lab_process.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kHttp = "127.63.0.1:19363";

std::string metrics() {
    return nswatch::lab::http_get(kHttp, "/metrics");
}

// The metric line that starts with `name{` and contains every needle, or "".
std::string metric_line(const std::string& text, const std::string& name,
                        const std::vector<std::string>& needles) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(name + "{", 0) != 0) continue;
        bool all = true;
        for (const auto& n : needles) all = all && line.find(n) != std::string::npos;
        if (all) return line;
    }
    return "";
}

// The daemon on DIR/nswatch.yml, stopped by pid when the guard goes.
struct Daemon {
    nswatch::lab::Child child;
    explicit Daemon(const fs::path& dir)
        : child(nswatch::lab::nswatch_run_argv(dir / "nswatch.yml"), dir / "daemon.log") {}
    std::string text() const { return child.log(); }
};

struct Received {
    std::string status, summary, provider_a, provider_b;
};

std::vector<Received> zone_diff_alerts(const nswatch::test::Receiver& rx) {
    std::vector<Received> out;
    for (const auto& r : rx.requests()) {
        const json body = json::parse(r.body);
        for (const auto& a : body["alerts"]) {
            if (a.value("rule", "") != "zone_diff_mismatch") continue;
            out.push_back({a.value("status", ""), a.value("summary", ""),
                           a["labels"].value("provider_a", ""),
                           a["labels"].value("provider_b", "")});
        }
    }
    return out;
}

size_t count(const nswatch::test::Receiver& rx, const std::string& status,
             const std::string& provider_b) {
    size_t n = 0;
    for (const auto& a : zone_diff_alerts(rx))
        n += a.status == status && a.provider_b == provider_b;
    return n;
}

}  // namespace

TEST_CASE("diff: the daemon's scheduled diff raises zone_diff_mismatch naming the record") {
    namespace lab = nswatch::lab;
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-diff-lab");
    nswatch::test::Receiver rx;
    std::ofstream(dir / "nswatch.yml")
        << "root_hints: " << lab::root_hints() << "\n"
        << "probe: {timeout: 400ms, interval: 1s, jitter: 0%, tcp_every: 0}\n"
        << "discovery: {interval: 1h, timeout: 500ms}\n"
        << "http: {listen: '" << kHttp << "'}\n"
        << "propagation: {enabled: false}\n"
        << "providers:\n"
        << "  - {name: alpha, patterns: ['*.alpha-dns.test'],\n"
        << "     transfer: {server: 127.53.1.1, source: 127.63.0.1}}\n"
        << "  - {name: beta, patterns: ['*.beta-dns.test'],\n"
        << "     transfer: {server: 127.53.2.1, source: 127.63.0.1}}\n"
        << "  - {name: gamma, patterns: ['*.gamma-dns.test'],\n"
        << "     transfer: {server: 127.53.3.1, source: 127.63.0.1}}\n"
        << "zones:\n  - {name: shop.test, primary: ns1.alpha-dns.test}\n"
        << "diff: {interval: 2s, timeout: 2s}\n"
        << "alerts:\n"
        << "  state_path: alerts.db\n"
        << "  evaluation_interval: 500ms\n"
        << "  resolve_after: 2s\n"
        << "  retry_initial: 100ms\n"
        << "  retry_max: 1s\n"
        << "  channels:\n"
        << "    - {type: webhook, name: hook, url: '" << rx.url("/hook") << "'}\n";

    // lab-bump exists everywhere first, so the later change is one changed RRset.
    lab::notify();  // a provider left behind by an earlier test catches up
    lab::bump();
    lab::wait_sync(15);
    Daemon daemon(dir);

    // In sync: the runs find identical copies and nothing is sent.
    REQUIRE(nswatch::lab::wait_until(
        [&] {
            return daemon.text().find(
                       "diff: shop.test: beta identical to alpha; gamma identical "
                       "to alpha") != std::string::npos;
        },
        15s));
    INFO(daemon.text());
    CHECK(zone_diff_alerts(rx).empty());

    std::string bump_text;
    {
        lab::XfrBlocked blocked(lab::kBeta);
        lab::bump();
        std::ifstream(lab::lab_dir() + "/bump.counter") >> bump_text;
        REQUIRE(nswatch::lab::wait_until([&] { return count(rx, "firing", "beta") == 1; }, 15s));
    }
    const auto firing = zone_diff_alerts(rx);
    const auto it = std::find_if(firing.begin(), firing.end(), [](const Received& a) {
        return a.provider_b == "beta" && a.status == "firing";
    });
    REQUIRE(it != firing.end());
    INFO(it->summary);
    CHECK(it->provider_a == "alpha");
    // Exactly the record that differs: the primary's new lab-bump TXT and beta's old one.
    const int n = std::stoi(bump_text);
    CHECK_THAT(it->summary, Catch::StartsWith("beta's copy of shop.test differs from alpha's in 1 "
                                              "RRset"));
    CHECK_THAT(it->summary,
               Catch::Contains("lab-bump.shop.test. 300 TXT \"bump " + std::to_string(n) +
                               "\" only at alpha; lab-bump.shop.test. 300 TXT \"bump " +
                               std::to_string(n - 1) + "\" only at beta"));
    CHECK_THAT(it->summary, !Catch::Contains("more record"));
    const std::string m = metrics();
    CHECK(metric_line(m, "nswatch_zone_diff_differences",
                      {"provider_a=\"alpha\"", "provider_b=\"beta\"", "zone=\"shop.test\""})
              .find(" 1") != std::string::npos);
    CHECK_FALSE(metric_line(m, "nswatch_zone_diff_runs_total", {"outcome=\"differ\""}).empty());
    // alpha's copy came up to date by IXFR (BIND serves the dynamic zone's journal), and the
    // record named above proves the differences were applied right.
    const std::string alpha_ixfr = metric_line(m, "nswatch_zone_diff_transfers_total",
                                               {"provider=\"alpha\"", "transfer=\"ixfr\""});
    INFO(m);
    CHECK_FALSE(alpha_ixfr.empty());
    // Knot (gamma) serves IXFR from its journal too (once it has the change itself).
    CHECK(nswatch::lab::wait_until(
        [&] {
            return !metric_line(metrics(), "nswatch_zone_diff_transfers_total",
                                {"provider=\"gamma\"", "transfer=\"ixfr\""})
                        .empty();
        },
        10s));

    // beta catches up: the next run finds the copies equal and the alert resolves, once.
    lab::notify();
    REQUIRE(nswatch::lab::wait_until([&] { return count(rx, "resolved", "beta") == 1; }, 20s));
    CHECK(count(rx, "firing", "beta") == 1);

    // SIGHUP with gamma's transfer settings gone: the next runs compare beta only.
    {
        std::ifstream in(dir / "nswatch.yml");
        std::stringstream cfg;
        cfg << in.rdbuf();
        std::string text = cfg.str();
        const std::string gamma = ",\n     transfer: {server: 127.53.3.1, source: 127.63.0.1}}";
        const auto at = text.find(gamma);
        REQUIRE(at != std::string::npos);
        text.replace(at, gamma.size(), "}");
        text.replace(text.find("diff: {interval: 2s"), 19, "diff: {interval: 1s");
        std::ofstream(dir / "nswatch.yml") << text;
    }
    kill(daemon.child.pid(), SIGHUP);
    REQUIRE(nswatch::lab::wait_until(
        [&] {
            return daemon.text().find("diff: reloaded: every 1 s, 2 providers") !=
                   std::string::npos;
        },
        10s));
    const size_t reloaded_at = daemon.text().find("diff: reloaded");
    REQUIRE(nswatch::lab::wait_until(
        [&] {
            return daemon.text().find("diff: shop.test: beta identical to alpha\n", reloaded_at) !=
                   std::string::npos;
        },
        10s));
}
