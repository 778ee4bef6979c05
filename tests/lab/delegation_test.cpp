// A vanished delegation on the lab: shop.test removed from the TLD (lab.sh undelegate) while the
// daemon watches it -> exactly one critical delegation_missing at the webhook, the metric and the
// status page say so, `nswatch check` and `nswatch audit` exit 2 naming the parent's NXDOMAIN;
// put back (lab.sh redelegate) -> the alert resolves, once.
#include <curl/curl.h>
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

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

constexpr const char* kListen = "127.0.0.1:19254";

size_t append_body(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

std::string http_get(const std::string& path) {
    CURL* c = curl_easy_init();
    std::string body;
    curl_easy_setopt(c, CURLOPT_URL, (std::string("http://") + kListen + path).c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? body : std::string();
}

// The daemon, stopped by pid (SIGTERM, then SIGKILL) when the guard goes.
struct Daemon {
    pid_t pid = -1;
    Daemon(const fs::path& config, const fs::path& log) {
        pid = fork();
        if (pid == 0) {
            freopen(log.c_str(), "a", stderr);
            freopen(log.c_str(), "a", stdout);
            execl(NSWATCH_BIN, NSWATCH_BIN, "run", "-c", config.c_str(), nullptr);
            _exit(127);
        }
    }
    ~Daemon() {
        if (pid <= 0) return;
        kill(pid, SIGTERM);
        for (int i = 0; i < 50; ++i) {
            if (waitpid(pid, nullptr, WNOHANG) == pid) return;
            std::this_thread::sleep_for(100ms);
        }
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;
};

struct Run {
    int exit_code = -1;
    std::string out;
};

Run run_nswatch(const std::string& command, const std::string& args = "") {
    const std::string cmd = std::string(NSWATCH_BIN) + " " + command +
                            " shop.test --timeout 700ms --root-hints " +
                            nswatch::lab::root_hints() + " " + args + " 2>/dev/null";
    Run r;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
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

bool wait_until(const std::function<bool()>& pred, std::chrono::seconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(200ms);
    }
    return pred();
}

}  // namespace

TEST_CASE(
    "delegation: shop.test removed from the TLD -> one critical delegation_missing, "
    "check CRITICAL, put back -> resolved") {
    namespace lab = nswatch::lab;
    const fs::path dir =
        fs::temp_directory_path() / ("nswatch-delegation-lab-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
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
    Daemon daemon(dir / "nswatch.yml", dir / "daemon.log");
    REQUIRE(wait_until(
        [] { return http_get("/metrics").find("nswatch_probe_success") != std::string::npos; },
        20s));
    std::this_thread::sleep_for(3s);
    CHECK(received(rx, "firing").empty());
    CHECK_THAT(http_get("/metrics"), Contains("nswatch_delegation_missing{zone=\"shop.test\"} 0"));

    {
        lab::Undelegated gone;
        REQUIRE(wait_until([&] { return received(rx, "firing").size() == 1; }, 30s));
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

        const Run text = run_nswatch("check");
        INFO(text.out);
        CHECK(text.exit_code == 2);
        CHECK_THAT(text.out, Contains("CRITICAL"));
        CHECK_THAT(text.out, Contains("delegation missing"));
        CHECK_THAT(text.out, Contains("NXDOMAIN"));
        const Run js = run_nswatch("check", "--json");
        CHECK(js.exit_code == 2);
        const json j = json::parse(js.out);
        CHECK(j["status"] == "CRITICAL");
        CHECK(j["zones"][0]["delegation_missing"]["reason"] == "parent_nxdomain");

        const Run audit = run_nswatch("audit", "--format json --no-axfr");
        INFO(audit.out);
        CHECK(audit.exit_code == 2);
        const json a = json::parse(audit.out);
        CHECK(a["zones"][0]["findings"][0]["id"] == "DEL-MISSING");
        CHECK(a["zones"][0]["findings"][0]["severity"] == "CRITICAL");

        std::this_thread::sleep_for(3s);  // still missing: no second page
        CHECK(received(rx, "firing").size() == 1);
        gone.restore();
    }
    REQUIRE(wait_until([&] { return received(rx, "resolved").size() == 1; }, 30s));
    CHECK(received(rx, "firing").size() == 1);
    CHECK_THAT(http_get("/metrics"), Contains("nswatch_delegation_missing{zone=\"shop.test\"} 0"));
    CHECK(run_nswatch("check").exit_code == 0);
}
