// Alerting end to end on the lab: the real daemon with an `alerts` section, a local webhook
// receiver, and a real Alertmanager (Debian prometheus-alertmanager) on 127.61.0.1. Transfers to
// beta blocked -> serial_lag naming beta at the receiver; unblocked -> resolved. A frozen provider
// -> one provider_down, then resolved. Every provider frozen behind a real Unbound ->
// resolution_failing for the zone and resolver.
#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "../unit/alerts_receiver.hpp"
#include "lab_env.hpp"
#include "lab_process.hpp"
#include "unbound.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kAlertmanagerListen = "127.61.0.1:19393";

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

fs::path scratch(const char* name) {
    return nswatch::lab::scratch_dir(name);
}

// A child process stopped by pid (SIGTERM, then SIGKILL) when the guard goes.
struct Child {
    pid_t pid = -1;
    Child(const std::vector<std::string>& argv, const fs::path& log) {
        pid = fork();
        if (pid == 0) {
            freopen(log.c_str(), "a", stderr);
            freopen(log.c_str(), "a", stdout);
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
    }
    ~Child() {
        if (pid <= 0) return;
        kill(pid, SIGTERM);
        for (int i = 0; i < 50; ++i) {
            if (waitpid(pid, nullptr, WNOHANG) == pid) return;
            std::this_thread::sleep_for(100ms);
        }
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
};

constexpr const char* kFastProbe = "{timeout: 400ms, interval: 1s, jitter: 0%, tcp_every: 0}";

void write_config(const fs::path& dir, const std::string& webhook, const std::string& extra,
                  const std::string& probe = kFastProbe) {
    std::ofstream(dir / "nswatch.yml")
        << "root_hints: " << nswatch::lab::root_hints() << "\n"
        << "probe: " << probe << "\n"
        << "discovery: {interval: 1h, timeout: 500ms}\n"
        << "http: {enabled: false}\n"
        << "providers:\n"
        << "  - {name: alpha, patterns: ['*.alpha-dns.test']}\n"
        << "  - {name: beta, patterns: ['*.beta-dns.test']}\n"
        << "  - {name: gamma, patterns: ['*.gamma-dns.test']}\n"
        << "zones:\n  - {name: shop.test, primary: ns1.alpha-dns.test}\n"
        << "alerts:\n"
        << "  state_path: alerts.db\n"
        << "  evaluation_interval: 500ms\n"
        << "  resolve_after: 2s\n"
        << "  retry_initial: 100ms\n"
        << "  retry_max: 1s\n"
        << "  rules:\n"
        << "    serial_lag: {threshold: 3s}\n"
        << "  channels:\n"
        << "    - {type: webhook, name: hook, url: '" << webhook << "'}\n"
        << extra;
}

// Alerts the receiver got, flattened: (rule, status, provider).
std::vector<std::tuple<std::string, std::string, std::string>> received(
    const nswatch::test::Receiver& rx) {
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& r : rx.requests()) {
        const json body = json::parse(r.body);  // kept: the loop below iterates into it
        for (const auto& a : body["alerts"]) {
            out.emplace_back(a.value("rule", ""), a.value("status", ""),
                             a["labels"].value("provider", ""));
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

size_t count(const nswatch::test::Receiver& rx, const std::string& rule, const std::string& status,
             const std::string& provider) {
    size_t n = 0;
    for (const auto& [r, s, p] : received(rx)) n += (r == rule && s == status && p == provider);
    return n;
}

}  // namespace

TEST_CASE(
    "alerts: blocked transfers -> serial_lag for beta at the webhook and in Alertmanager, "
    "unblocked -> resolved") {
    namespace lab = nswatch::lab;
    const fs::path dir = scratch("nswatch-alerts-lab");
    nswatch::test::Receiver rx;

    // A real Alertmanager, clustering off, on this helper's private loopback address.
    std::ofstream(dir / "alertmanager.yml") << "route: {receiver: 'null'}\n"
                                            << "receivers: [{name: 'null'}]\n";
    Child am(
        {"/usr/bin/prometheus-alertmanager", "--config.file=" + (dir / "alertmanager.yml").string(),
         "--storage.path=" + (dir / "am").string(),
         std::string("--web.listen-address=") + kAlertmanagerListen, "--cluster.listen-address="},
        dir / "alertmanager.log");
    const std::string am_url = std::string("http://") + kAlertmanagerListen;
    REQUIRE(wait_until([&] { return !http_get(am_url + "/-/ready").empty(); }, 20s));

    write_config(dir, rx.url("/hook"),
                 "    - {type: alertmanager, name: am, url: '" + am_url + "'}\n");
    lab::wait_sync();
    Child daemon({NSWATCH_BIN, "run", "-c", (dir / "nswatch.yml").string()}, dir / "daemon.log");

    // Healthy for a while: nothing is sent.
    std::this_thread::sleep_for(5s);
    CHECK(rx.requests().empty());

    {
        lab::XfrBlocked blocked(lab::kBeta);
        lab::bump();
        REQUIRE(wait_until([&] { return count(rx, "serial_lag", "firing", "beta") == 1; }, 30s));
        // Exactly one notification naming beta, none for the providers that follow.
        CHECK(count(rx, "serial_lag", "firing", "alpha") == 0);
        CHECK(count(rx, "serial_lag", "firing", "gamma") == 0);
        // Alertmanager has it, with our labels.
        REQUIRE(wait_until(
            [&] {
                auto body = http_get(am_url + "/api/v2/alerts");
                if (body.empty()) return false;
                for (const auto& a : json::parse(body)) {
                    if (a["labels"].value("alertname", "") == "serial_lag" &&
                        a["labels"].value("provider", "") == "beta" &&
                        a["status"].value("state", "") == "active") {
                        return true;
                    }
                }
                return false;
            },
            15s));
    }
    lab::notify();
    REQUIRE(wait_until([&] { return count(rx, "serial_lag", "resolved", "beta") == 1; }, 30s));
    CHECK(count(rx, "serial_lag", "firing", "beta") == 1);  // no duplicate page
    // Alertmanager sees the resolution (endsAt now): no longer active.
    CHECK(wait_until(
        [&] {
            auto body = http_get(am_url + "/api/v2/alerts?active=true");
            if (body.empty()) return false;
            for (const auto& a : json::parse(body)) {
                if (a["labels"].value("alertname", "") == "serial_lag") return false;
            }
            return true;
        },
        15s));
}

TEST_CASE(
    "alerts: a frozen provider, TCP every 3rd round -> exactly one FIRING provider_down within "
    "fall x interval + evaluation, one RESOLVED after the thaw, nothing else") {
    namespace lab = nswatch::lab;
    const fs::path dir = scratch("nswatch-alerts-lab-down");
    nswatch::test::Receiver rx;
    // The set-up: interval 2 s, TCP every 3rd round, fall 2, rise 2.
    write_config(dir, rx.url("/hook"), "",
                 "{timeout: 400ms, interval: 2s, jitter: 0%, tcp_every: 3, fall: 2, rise: 2}");
    lab::notify();  // a provider left behind by an earlier test catches up
    lab::wait_sync();
    Child daemon({NSWATCH_BIN, "run", "-c", (dir / "nswatch.yml").string()}, dir / "daemon.log");
    std::this_thread::sleep_for(8s);
    CHECK(rx.requests().empty());
    std::chrono::steady_clock::duration detected{};
    {
        const auto frozen_at = std::chrono::steady_clock::now();
        lab::Frozen frozen(lab::kGamma);
        REQUIRE(
            wait_until([&] { return count(rx, "provider_down", "firing", "gamma") == 1; }, 30s));
        detected = std::chrono::steady_clock::now() - frozen_at;
        // Hold it frozen across several TCP rounds: still that one page, nothing per address.
        std::this_thread::sleep_for(14s);
    }
    // fall x interval + evaluation_interval = 4.5 s, plus one interval for where in the round
    // cycle the freeze fell, and the receiver's polling.
    CHECK(detected < 7s);
    REQUIRE(wait_until([&] { return count(rx, "provider_down", "resolved", "gamma") == 1; }, 30s));
    std::this_thread::sleep_for(14s);  // TCP rounds after the thaw: nothing new
    const auto all = received(rx);
    REQUIRE(all.size() == 2);
    CHECK(all[0] == std::make_tuple(std::string("provider_down"), std::string("firing"),
                                    std::string("gamma")));
    CHECK(all[1] == std::make_tuple(std::string("provider_down"), std::string("resolved"),
                                    std::string("gamma")));
    // The RESOLVED text says what recovered and for how long, not the firing text.
    const json last = json::parse(rx.requests().back().body);
    const std::string summary = last["alerts"][0].value("summary", "");
    INFO(summary);
    CHECK(summary.find("provider gamma answers again for shop.test") != std::string::npos);
    CHECK(summary.find("s down") != std::string::npos);
}

TEST_CASE("alerts: a healthy lab for 60 rounds (TCP every 3rd round) -> no notification") {
    namespace lab = nswatch::lab;
    const fs::path dir = scratch("nswatch-alerts-lab-quiet");
    nswatch::test::Receiver rx;
    write_config(dir, rx.url("/hook"), "",
                 "{timeout: 400ms, interval: 1s, jitter: 0%, tcp_every: 3, fall: 2, rise: 2}");
    lab::notify();
    lab::wait_sync();
    Child daemon({NSWATCH_BIN, "run", "-c", (dir / "nswatch.yml").string()}, dir / "daemon.log");
    std::this_thread::sleep_for(60s);
    for (const auto& [rule, status, provider] : received(rx)) {
        INFO(rule << " " << status << " " << provider);
    }
    CHECK(rx.requests().empty());
    // Silence from a daemon that died would prove nothing.
    CHECK(waitpid(daemon.pid, nullptr, WNOHANG) == 0);
}

TEST_CASE(
    "alerts: every provider frozen behind Unbound -> resolution_failing for zone and resolver") {
    namespace lab = nswatch::lab;
    const fs::path dir = scratch("nswatch-alerts-lab-resolution");
    nswatch::test::Receiver rx;
    lab::Unbound unbound;
    write_config(dir, rx.url("/hook"),
                 std::string("resolvers:\n  interval: 1s\n  timeout: 900ms\n  failing_after: 2\n"
                             "  servers:\n    - {name: unbound, address: ") +
                     std::string(lab::kUnboundV4) + "}\n");
    lab::notify();
    lab::wait_sync();
    Child daemon({NSWATCH_BIN, "run", "-c", (dir / "nswatch.yml").string()}, dir / "daemon.log");
    std::this_thread::sleep_for(4s);
    CHECK(count(rx, "resolution_failing", "firing", "") == 0);  // healthy: users resolve
    auto resolver_of = [&](const std::string& rule) {
        std::string out;
        for (const auto& r : rx.requests()) {
            const json body = json::parse(r.body);
            for (const auto& a : body["alerts"]) {
                if (a.value("rule", "") == rule) out = a["labels"].value("resolver", "");
            }
        }
        return out;
    };
    lab::Frozen alpha(lab::kAlpha);
    lab::Frozen beta(lab::kBeta);
    lab::Frozen gamma(lab::kGamma);
    INFO(unbound.log());
    REQUIRE(wait_until([&] { return count(rx, "resolution_failing", "firing", "") == 1; }, 40s));
    CHECK(resolver_of("resolution_failing") == "unbound");
    CHECK(count(rx, "provider_down", "firing", "alpha") == 1);  // and the authoritative side
}

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE(
    "alerts: the real daemon SIGKILLed with an undelivered page delivers it once after restart") {
    namespace lab = nswatch::lab;
    const fs::path dir = scratch("nswatch-alerts-lab-kill");
    nswatch::test::Receiver rx;
    const int port = rx.port();
    rx.stop();  // the receiver is down: delivery fails and is retried from the outbox
    write_config(dir, rx.url("/hook"), "");
    lab::notify();
    lab::wait_sync();
    auto daemon = std::make_unique<Child>(
        std::vector<std::string>{NSWATCH_BIN, "run", "-c", (dir / "nswatch.yml").string()},
        dir / "daemon.log");
    std::this_thread::sleep_for(3s);
    lab::Frozen frozen(lab::kGamma);
    REQUIRE(wait_until(
        [&] {
            return slurp(dir / "daemon.log").find("retrying with backoff") != std::string::npos;
        },
        30s));
    INFO(slurp(dir / "daemon.log"));
    CHECK(slurp(dir / "daemon.log").find("FIRING provider_down") != std::string::npos);
    kill(daemon->pid, SIGKILL);
    waitpid(daemon->pid, nullptr, 0);
    daemon->pid = -1;

    rx.start(port);  // the receiver is back; so is the daemon
    daemon = std::make_unique<Child>(
        std::vector<std::string>{NSWATCH_BIN, "run", "-c", (dir / "nswatch.yml").string()},
        dir / "daemon.log");
    REQUIRE(wait_until([&] { return count(rx, "provider_down", "firing", "gamma") == 1; }, 30s));
    // The restored alert state does not page again while gamma stays down.
    std::this_thread::sleep_for(4s);
    CHECK(count(rx, "provider_down", "firing", "gamma") == 1);
    CHECK(slurp(dir / "daemon.log").find("active alerts restored") != std::string::npos);
}
