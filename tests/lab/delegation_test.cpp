// A vanished delegation on the lab: shop.test removed from the TLD (lab.sh undelegate) while the
// daemon watches it -> exactly one critical delegation_missing at the webhook, the metric and the
// status page say so, `nswatch check` and `nswatch audit` exit 2 naming the parent's NXDOMAIN;
// put back (lab.sh redelegate) -> the alert resolves, once.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "../unit/alerts_receiver.hpp"
#include "lab_env.hpp"
#include "lab_process.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

constexpr const char* kListen = "127.0.0.1:19254";

std::string http_get(const std::string& path) {
    return nswatch::lab::http_get(kListen, path);
}

nswatch::lab::CommandRun run_nswatch(const std::string& command, const std::string& args = "") {
    return nswatch::lab::run_nswatch(command + " shop.test --timeout 700ms --root-hints " +
                                     nswatch::lab::root_hints() + " " + args);
}

// delegation_missing notifications the receiver got with `status`, as the alerts' JSON.
std::vector<json> received(const nswatch::test::Receiver& rx, const std::string& status) {
    std::vector<json> out;
    for (const auto& r : rx.requests()) {
        const json body = json::parse(r.body);
        for (const auto& a : body["alerts"]) {
            if (a.value("rule", "") == "delegation_missing" && a.value("status", "") == status)
                out.push_back(a);
        }
    }
    return out;
}

}  // namespace

TEST_CASE(
    "delegation: shop.test removed from the TLD -> one critical delegation_missing, "
    "check CRITICAL, put back -> resolved") {
    namespace lab = nswatch::lab;
    const fs::path dir = lab::scratch_dir("nswatch-delegation-lab");
    nswatch::test::Receiver rx;
    std::ofstream(dir / "nswatch.yml")
        << "root_hints: " << lab::root_hints() << "\n"
        << "probe: {timeout: 400ms, interval: 2s, jitter: 0%, tcp_every: 0}\n"
        << "discovery: {interval: 3s, timeout: 500ms}\n"
        << "http: {listen: '" << kListen << "'}\n"
        << "zones:\n  - {name: shop.test}\n"
        << "alerts:\n"
        << "  state_path: alerts.db\n"
        << "  evaluation_interval: 500ms\n"
        << "  resolve_after: 2s\n"
        << "  retry_initial: 100ms\n"
        << "  retry_max: 1s\n"
        << "  channels:\n"
        << "    - {type: webhook, name: hook, url: '" << rx.url("/hook") << "'}\n";
    lab::wait_sync();
    lab::Child daemon(lab::nswatch_run_argv(dir / "nswatch.yml"), dir / "daemon.log");
    REQUIRE(nswatch::lab::wait_until(
        [] { return http_get("/metrics").find("nswatch_probe_success") != std::string::npos; },
        20s));
    std::this_thread::sleep_for(3s);
    CHECK(received(rx, "firing").empty());
    CHECK_THAT(http_get("/metrics"), Contains("nswatch_delegation_missing{zone=\"shop.test\"} 0"));

    {
        lab::Undelegated gone;
        REQUIRE(nswatch::lab::wait_until([&] { return received(rx, "firing").size() == 1; }, 30s));
        const json alert = received(rx, "firing").front();
        INFO(alert.dump());
        CHECK(alert["severity"] == "critical");
        CHECK(alert["labels"]["zone"] == "shop.test");
        const std::string summary = alert.value("summary", "");
        CHECK_THAT(summary, Contains("missing (parent_nxdomain)"));
        CHECK_THAT(summary, Contains("NXDOMAIN"));
        CHECK((summary.find(std::string(lab::kTldV4)) != std::string::npos ||
               summary.find(std::string(lab::kTldV6)) != std::string::npos));

        const std::string metrics = http_get("/metrics");
        CHECK_THAT(metrics, Contains("nswatch_delegation_missing{reason=\"parent_nxdomain\","
                                     "zone=\"shop.test\"} 1"));
        CHECK_THAT(metrics, Contains("nswatch_delegation_consistent{zone=\"shop.test\"} 0"));
        CHECK_THAT(http_get("/"), Contains("MISSING (parent_nxdomain)"));
        const json status = json::parse(http_get("/api/v1/status"));
        CHECK(status["zones"][0]["delegation_missing"]["reason"] == "parent_nxdomain");

        const nswatch::lab::CommandRun text = run_nswatch("check");
        INFO(text.out);
        CHECK(text.exit_code == 2);
        CHECK_THAT(text.out, Contains("CRITICAL"));
        CHECK_THAT(text.out, Contains("delegation missing"));
        CHECK_THAT(text.out, Contains("NXDOMAIN"));
        const nswatch::lab::CommandRun js = run_nswatch("check", "--json");
        CHECK(js.exit_code == 2);
        const json j = json::parse(js.out);
        CHECK(j["status"] == "CRITICAL");
        CHECK(j["zones"][0]["delegation_missing"]["reason"] == "parent_nxdomain");

        const nswatch::lab::CommandRun audit = run_nswatch("audit", "--format json --no-axfr");
        INFO(audit.out);
        CHECK(audit.exit_code == 2);
        const json a = json::parse(audit.out);
        CHECK(a["zones"][0]["findings"][0]["id"] == "DEL-MISSING");
        CHECK(a["zones"][0]["findings"][0]["severity"] == "CRITICAL");

        std::this_thread::sleep_for(3s);  // still missing: no second page
        CHECK(received(rx, "firing").size() == 1);
        gone.restore();
    }
    REQUIRE(nswatch::lab::wait_until([&] { return received(rx, "resolved").size() == 1; }, 30s));
    CHECK(received(rx, "firing").size() == 1);
    CHECK_THAT(http_get("/metrics"), Contains("nswatch_delegation_missing{zone=\"shop.test\"} 0"));
    CHECK(run_nswatch("check").exit_code == 0);
}
