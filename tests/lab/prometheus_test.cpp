// The Grafana dashboard against a real Prometheus: `nswatch run` probes the lab, Debian's
// prometheus scrapes it every second, and every query of grafana/nswatch-dashboard.json (template
// variables substituted the way Grafana would) must return at least one series with a value.
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "lab_env.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kNswatchListen = "127.0.0.1:19353";
constexpr const char* kPrometheusListen = "127.0.0.1:19390";

size_t append(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

/// GET http://LISTEN + PATH; empty on any error (connection refused while starting, etc.).
std::string http_get(const std::string& listen, const std::string& path) {
    CURL* c = curl_easy_init();
    std::string body;
    long code = 0;
    curl_easy_setopt(c, CURLOPT_URL, ("http://" + listen + path).c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    return rc == CURLE_OK && code == 200 ? body : std::string();
}

std::string escape(const std::string& s) {
    char* e = curl_easy_escape(nullptr, s.c_str(), static_cast<int>(s.size()));
    std::string out(e);
    curl_free(e);
    return out;
}

/// Prometheus' HTTP API: GET PATH?QUERY, the "data" member of a successful answer, else null.
json prometheus_api(const std::string& path_and_query) {
    const std::string body = http_get(kPrometheusListen, path_and_query);
    if (body.empty()) return nullptr;
    const json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || j.value("status", "") != "success") return nullptr;
    return j["data"];
}

/// Instant query; the result vector (or null if the query failed).
json instant_query(const std::string& promql) {
    const json data = prometheus_api("/api/v1/query?query=" + escape(promql));
    if (data.is_null() || data["resultType"] != "vector") return nullptr;
    return data["result"];
}

/// A child process started by fork/exec (stdout and stderr to LOG), stopped by pid.
class Child {
  public:
    Child(std::vector<std::string> argv, const fs::path& log) : log_(log) {
        pid_ = fork();
        if (pid_ == 0) {
            const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(a.data());
            args.push_back(nullptr);
            execvp(args[0], args.data());
            _exit(127);
        }
    }
    /// Still running? (reaps it if it exited)
    bool running() {
        if (pid_ <= 0) return false;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        return true;
    }
    /// SIGTERM, then SIGKILL if it has not exited after 5 s.
    void stop() {
        if (!running()) return;
        kill(pid_, SIGTERM);
        const auto end = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < end) {
            if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(50ms);
        }
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    std::string log() const {
        std::ifstream in(log_);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    ~Child() { stop(); }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

  private:
    pid_t pid_ = -1;
    fs::path log_;
};

fs::path scratch() {
    fs::path d =
        fs::temp_directory_path() / ("nswatch-prometheus-test-" + std::to_string(getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

/// Every PromQL expression of the dashboard, with the title of its panel (rows, also collapsed
/// ones, hold panels of their own).
void collect_targets(const json& panels, std::vector<std::pair<std::string, std::string>>& out) {
    for (const auto& p : panels) {
        if (p.contains("panels")) collect_targets(p["panels"], out);
        if (!p.contains("targets")) continue;
        for (const auto& t : p["targets"]) {
            if (t.contains("expr")) {
                out.emplace_back(p.value("title", "?") + " [" + t.value("refId", "?") + "]",
                                 t["expr"].get<std::string>());
            }
        }
    }
}

/// Grafana's variable syntaxes: $name, ${name}, ${name:format}, [[name]]. Throws on a variable
/// it does not know, so a new variable in the dashboard needs a value here.
std::string substitute(const std::string& expr, const std::map<std::string, std::string>& vars) {
    static const std::regex var(R"(\$\{(\w+)(?::[\w]+)?\}|\$(\w+)|\[\[(\w+)\]\])");
    std::string out;
    auto begin = expr.cbegin();
    for (std::sregex_iterator it(expr.begin(), expr.end(), var), end; it != end; ++it) {
        const auto& m = *it;
        const std::string name = m[1].matched ? m[1].str() : m[2].matched ? m[2].str() : m[3].str();
        const auto v = vars.find(name);
        if (v == vars.end()) throw std::runtime_error("unknown variable $" + name + " in: " + expr);
        out.append(begin, m[0].first);
        out += v->second;
        begin = m[0].second;
    }
    out.append(begin, expr.cend());
    return out;
}

bool has_value(const json& result) {
    for (const auto& series : result) {
        const std::string v = series["value"][1].get<std::string>();
        if (v != "NaN" && v != "+Inf" && v != "-Inf") return true;
    }
    return false;
}

}  // namespace

TEST_CASE("prometheus: every query of the Grafana dashboard returns data on the healthy lab",
          "[grafana][prometheus]") {
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(std::system("command -v prometheus >/dev/null") == 0);  // Debian's prometheus package

    std::ifstream dashboard_file(std::string(NSWATCH_SOURCE_DIR) +
                                 "/grafana/nswatch-dashboard.json");
    REQUIRE(dashboard_file.good());
    const json dashboard = json::parse(dashboard_file);
    std::vector<std::pair<std::string, std::string>> targets;
    collect_targets(dashboard["panels"], targets);
    REQUIRE(targets.size() >= 10);

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
    Child prometheus({"prometheus", "--config.file=" + (dir / "prometheus.yml").string(),
                      "--storage.tsdb.path=" + (dir / "tsdb").string(),
                      std::string("--web.listen-address=") + kPrometheusListen},
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

    // Template variables: the label_values() queries must find the lab's zone, providers, vantage.
    std::map<std::string, std::vector<std::string>> variable_values;
    for (const auto& v : dashboard["templating"]["list"]) {
        if (v["type"] != "query") continue;
        const json& q = v["query"];
        const std::string query =
            q.is_string() ? q.get<std::string>() : q["query"].get<std::string>();
        static const std::regex label_values(R"(^\s*label_values\((.+),\s*(\w+)\)\s*$)");
        std::smatch m;
        INFO("variable " << v["name"] << ": " << query);
        REQUIRE(std::regex_match(query, m, label_values));
        const std::string match =
            substitute(m[1].str(), {{"zone", std::string(nswatch::lab::kZone)}});
        const json values =
            prometheus_api("/api/v1/label/" + m[2].str() + "/values?match[]=" + escape(match));
        REQUIRE(!values.is_null());
        CHECK(!values.empty());
        for (const auto& x : values)
            variable_values[v["name"].get<std::string>()].push_back(x.get<std::string>());
    }
    using Catch::Matchers::VectorContains;
    CHECK_THAT(variable_values["zone"], VectorContains(std::string(nswatch::lab::kZone)));
    CHECK_THAT(variable_values["provider"], VectorContains(std::string("alpha")));
    CHECK_THAT(variable_values["provider"], VectorContains(std::string("beta")));
    CHECK_THAT(variable_values["provider"], VectorContains(std::string("gamma")));
    CHECK_THAT(variable_values["vantage"], VectorContains(std::string("default")));

    // Every panel query, once with "All" selected (Grafana sends the variable's allValue) and once
    // with a single provider and vantage selected.
    const std::map<std::string, std::string> common{
        {"zone", std::string(nswatch::lab::kZone)},
        {"window", "10s"},  // the dashboard's rate window (5m by default; probes here run every 1s)
        {"__rate_interval", "10s"},
        {"__interval", "2s"},
        {"__range", "1m"},
        {"__range_s", "60"},
        {"__range_ms", "60000"},
    };
    auto all = common;
    all["provider"] = ".+";
    all["vantage"] = ".+";
    auto one = common;
    one["provider"] = "beta";
    one["vantage"] = "default";
    for (const auto& vars : {all, one}) {
        for (const auto& [panel, expr] : targets) {
            const std::string promql = substitute(expr, vars);
            INFO(panel << " (provider=" << vars.at("provider") << "): " << promql);
            const json result = instant_query(promql);
            CHECK(!result.is_null());  // valid PromQL
            if (result.is_null()) continue;
            CHECK(!result.empty());
            CHECK(has_value(result));
        }
    }

    prometheus.stop();
    nswatch.stop();
    fs::remove_all(dir);
    CHECK(std::chrono::steady_clock::now() - started < 55s);
}
