// `nswatch run` end to end on the lab: the real daemon, its /metrics and status API, SQLite
// history, lag when transfers are blocked, down/up when a server is frozen, restart and SIGKILL.
#include <curl/curl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "lab_env.hpp"
#include "lab_process.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kListen = "127.0.0.1:19253";

size_t append(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

std::string get(const std::string& path) {
    CURL* c = curl_easy_init();
    std::string body;
    curl_easy_setopt(c, CURLOPT_URL, (std::string("http://") + kListen + path).c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? body : std::string();
}

struct Daemon {
    pid_t pid = -1;
    fs::path dir;

    explicit Daemon(const fs::path& d) : dir(d) {
        std::ofstream(dir / "nswatch.yml")
            << "root_hints: " << nswatch::lab::root_hints() << "\n"
            << "probe: {timeout: 400ms, interval: 1s, jitter: 0%, tcp_every: 1}\n"
            << "discovery: {interval: 1h, timeout: 500ms}\n"
            << "storage: {path: history.db}\n"
            << "http: {listen: '" << kListen << "'}\n"
            << "providers:\n"
            << "  - {name: alpha, patterns: ['*.alpha-dns.test']}\n"
            << "  - {name: beta, patterns: ['*.beta-dns.test']}\n"
            << "  - {name: gamma, patterns: ['*.gamma-dns.test']}\n"
            << "zones:\n  - {name: shop.test, primary: ns1.alpha-dns.test,\n"
            << "     watch: [{name: lab-bump, types: [TXT]}]}\n";
        start();
    }
    void start() {
        pid = fork();
        if (pid == 0) {
            const std::string log = (dir / "daemon.log").string();
            freopen(log.c_str(), "a", stderr);
            const std::string cfg = (dir / "nswatch.yml").string();
            execl(NSWATCH_BIN, NSWATCH_BIN, "run", "-c", cfg.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
    }
    int stop(int sig = SIGTERM) {
        if (pid <= 0) return -1;
        kill(pid, sig);
        int status = 0;
        waitpid(pid, &status, 0);
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    ~Daemon() { stop(SIGKILL); }
};

fs::path scratch() {
    return nswatch::lab::scratch_dir("nswatch-daemon-test");
}

nlohmann::json status() {
    const std::string body = get("/api/v1/status");
    return body.empty() ? nlohmann::json() : nlohmann::json::parse(body);
}

// Poll the status API until `pred` holds or `limit` passes.
bool eventually(const std::function<bool(const nlohmann::json&)>& pred,
                std::chrono::seconds limit = 20s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        const auto s = status();
        if (!s.is_null() && pred(s)) return true;
        std::this_thread::sleep_for(200ms);
    }
    return false;
}

const nlohmann::json& zone(const nlohmann::json& s) {
    return s["zones"][0];
}

bool provider_is(const nlohmann::json& s, const std::string& name, const std::string& field,
                 bool value) {
    for (const auto& p : zone(s)["providers"]) {
        if (p["provider"] == name) return p[field] == value;
    }
    return false;
}

int64_t count_rows(const fs::path& db) {
    sqlite3* h = nullptr;
    sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(h, "SELECT count(*) FROM probes", -1, &st, nullptr);
    int64_t n = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

std::string integrity(const fs::path& db) {
    sqlite3* h = nullptr;
    sqlite3_open(db.c_str(), &h);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr);
    std::string out;
    while (st && sqlite3_step(st) == SQLITE_ROW)
        out += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return out;
}

}  // namespace

TEST_CASE("daemon: serves metrics, follows a change, shows lag and recovery, down and up") {
    nswatch::lab::wait_sync(20);
    const fs::path dir = scratch();
    Daemon d(dir);

    REQUIRE(eventually([](const nlohmann::json& s) { return zone(s)["rounds"].get<int>() >= 2; }));
    CHECK(get("/healthz").find("ok") != std::string::npos);
    const std::string metrics = get("/metrics");
    CHECK_THAT(metrics, Catch::Contains("nswatch_probes_total{"));
    CHECK_THAT(metrics, Catch::Contains("nswatch_soa_serial{"));
    CHECK_THAT(metrics, Catch::Contains("provider=\"gamma\""));
    CHECK_THAT(metrics, Catch::Contains("nswatch_history_written_total"));

    SECTION("a change on the primary shows in the status") {
        const uint32_t serial = nswatch::lab::bump();
        CHECK(eventually([serial](const nlohmann::json& s) {
            for (const auto& t : zone(s)["targets"]) {
                if (t["serial"] != serial || t["serial_state"] != "current") return false;
            }
            return zone(s)["newest_serial"] == serial;
        }));
    }

    SECTION("transfers to gamma blocked: gamma lags with growing seconds, then recovers") {
        nswatch::lab::XfrBlocked blocked("gamma");
        const uint32_t serial = nswatch::lab::bump();
        REQUIRE(eventually(
            [](const nlohmann::json& s) { return provider_is(s, "gamma", "lagging", true); }));
        double first = 0;
        REQUIRE(eventually([&first](const nlohmann::json& s) {
            for (const auto& p : zone(s)["providers"]) {
                if (p["provider"] == "gamma") first = p["max_lag_seconds"].get<double>();
            }
            return first > 0;
        }));
        CHECK(eventually([first](const nlohmann::json& s) {
            for (const auto& p : zone(s)["providers"]) {
                if (p["provider"] == "gamma") return p["max_lag_seconds"].get<double>() > first + 1;
            }
            return false;
        }));
        CHECK(provider_is(status(), "beta", "lagging", false));
        // The change (a TXT at lab-bump, a watched name) differs at gamma until it catches up.
        CHECK(eventually(
            [](const nlohmann::json& s) { return zone(s)["answers_consistent"] == false; }));
        const auto diffs = zone(status())["answer_differences"];
        REQUIRE(diffs.size() == 1);
        CHECK_THAT(diffs[0].get<std::string>(),
                   Catch::Contains("lab-bump.shop.test.") && Catch::Contains("[gamma]"));
        CHECK_THAT(get("/metrics"),
                   Catch::Contains("nswatch_zone_answers_consistent{zone=\"shop.test\"} 0"));
        // `status --from` reads the same instance and names the lagging provider.
        std::string out;
        FILE* p = popen(
            (std::string(NSWATCH_BIN) + " status --from http://" + kListen + " --json 2>/dev/null")
                .c_str(),
            "r");
        REQUIRE(p != nullptr);
        char buf[4096];
        while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
        const int rc = pclose(p);
        CHECK(WEXITSTATUS(rc) == 1);
        const auto j = nlohmann::json::parse(out);
        REQUIRE(j["findings"].size() >= 1);
        bool named = false;
        for (const auto& f : j["findings"])
            named |= f["provider"] == "gamma" && f["kind"] == "lagging";
        CHECK(named);
        nswatch::lab::unblock_xfr("gamma");
        nswatch::lab::notify();
        CHECK(eventually(
            [](const nlohmann::json& s) { return provider_is(s, "gamma", "lagging", false); }));
        CHECK(eventually(
            [](const nlohmann::json& s) { return zone(s)["answers_consistent"] == true; }));
        CHECK(zone(status())["newest_serial"] == serial);
    }

    SECTION("beta frozen: down after fall failures, not lagging; up again after thawing") {
        {
            nswatch::lab::Frozen frozen("beta");
            REQUIRE(eventually(
                [](const nlohmann::json& s) { return provider_is(s, "beta", "up", false); }));
            CHECK(provider_is(status(), "beta", "lagging", false));
            CHECK_THAT(get("/metrics"), Catch::Contains("nswatch_provider_up{provider=\"beta\""));
        }
        CHECK(
            eventually([](const nlohmann::json& s) { return provider_is(s, "beta", "up", true); }));
    }
    CHECK(d.stop() == 0);
}

TEST_CASE("daemon: history survives a restart, and a SIGKILL leaves a sound database") {
    const fs::path dir = scratch();
    Daemon d(dir);
    REQUIRE(eventually([](const nlohmann::json& s) { return zone(s)["rounds"].get<int>() >= 2; }));
    REQUIRE(d.stop() == 0);  // SIGTERM: drain and commit
    const int64_t after_first = count_rows(dir / "history.db");
    CHECK(after_first >= 48);  // 2 rounds x 24 probes, all committed at shutdown

    d.start();
    REQUIRE(eventually([](const nlohmann::json& s) { return zone(s)["rounds"].get<int>() >= 3; }));
    d.stop(SIGKILL);
    CHECK(integrity(dir / "history.db") == "ok");
    CHECK(count_rows(dir / "history.db") > after_first);  // kept the old rows, added new ones
}

TEST_CASE("daemon: SIGHUP reloads the config, keeping the state of zones that remain") {
    const fs::path dir = scratch();
    Daemon d(dir);
    REQUIRE(eventually([](const nlohmann::json& s) { return zone(s)["rounds"].get<int>() >= 2; }));
    const int rounds_before = zone(status())["rounds"].get<int>();
    std::ofstream(dir / "nswatch.yml", std::ios::app) << "  - {name: gamma-dns.test}\n";
    kill(d.pid, SIGHUP);
    REQUIRE(eventually([](const nlohmann::json& s) { return s["zones"].size() == 2; }));
    const auto s = status();
    for (const auto& z : s["zones"]) {
        if (z["zone"] == "shop.test") CHECK(z["rounds"].get<int>() >= rounds_before);
    }
    // A broken config on reload is refused and the running one kept.
    std::ofstream(dir / "nswatch.yml", std::ios::app) << "bogus_key: 1\n";
    kill(d.pid, SIGHUP);
    std::this_thread::sleep_for(1500ms);
    CHECK(status()["zones"].size() == 2);

    // shop.test removed: its series leave /metrics instead of freezing at their last values.
    REQUIRE(get("/metrics").find("zone=\"shop.test\"") != std::string::npos);
    std::string cfg;
    {
        std::ifstream in(dir / "nswatch.yml");
        cfg.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const auto zones_at = cfg.find("zones:");
    REQUIRE(zones_at != std::string::npos);
    std::ofstream(dir / "nswatch.yml")
        << cfg.substr(0, zones_at) << "zones:\n  - {name: gamma-dns.test}\n";
    kill(d.pid, SIGHUP);
    REQUIRE(eventually([](const nlohmann::json& s) { return s["zones"].size() == 1; }));
    std::this_thread::sleep_for(1500ms);
    const std::string metrics = get("/metrics");
    CHECK(metrics.find("zone=\"gamma-dns.test\"") != std::string::npos);
    CHECK(metrics.find("zone=\"shop.test\"") == std::string::npos);
    CHECK(d.stop() == 0);
}

TEST_CASE("daemon: a changed watched record is recorded in history and shown by status") {
    const fs::path dir = scratch();
    nswatch::lab::notify();
    nswatch::lab::wait_sync();
    Daemon d(dir);
    REQUIRE(eventually([](const nlohmann::json& s) { return zone(s)["rounds"].get<int>() >= 2; }));
    nswatch::lab::bump();  // lab-bump.shop.test TXT gets a new value at the primary
    nswatch::lab::wait_sync();
    // Two more rounds: every provider has been seen serving the new TXT.
    const int rounds = status().is_null() ? 0 : zone(status())["rounds"].get<int>();
    REQUIRE(eventually(
        [&](const nlohmann::json& s) { return zone(s)["rounds"].get<int>() >= rounds + 2; }));
    // The serial change started a propagation run (poll trigger): the status API shows it per
    // provider, with the seconds each took.
    CHECK(eventually([](const nlohmann::json& s) {
        std::set<std::string> done;
        for (const auto& p : s["propagation"]) {
            if (p["zone"] == "shop.test" && !p["seconds"].is_null()) {
                done.insert(p["provider"].get<std::string>());
            }
        }
        return done == std::set<std::string>{"alpha", "beta", "gamma"};
    }));
    REQUIRE(d.stop() == 0);

    const std::string cmd = std::string(NSWATCH_BIN) + " status --db " +
                            (dir / "history.db").string() + " --since 10m --json 2>&1";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    INFO(out);
    const auto j = nlohmann::json::parse(out);
    std::set<std::string> providers;
    for (const auto& c : j["answer_changes"]) {
        CHECK(c["name"] == "lab-bump.shop.test.");
        CHECK(c["type"] == 16);
        CHECK(c["before"] != c["after"]);
        providers.insert(c["provider"].get<std::string>());
    }
    CHECK(providers == std::set<std::string>{"alpha", "beta", "gamma"});
}
