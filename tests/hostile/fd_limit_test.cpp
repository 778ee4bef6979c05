// `nswatch run` under a hard open-files limit of 64, watching 120 zones on 120 loopback addresses
// of one NSD (240 sockets kept at full speed, UDP and TCP): the daemon says in one line that the
// limit is short and probes within it. /healthz keeps answering, no healthy server is reported
// network_error (nor anything but ok), every address is still probed over both transports, and
// the daemon does not spin.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "prober/engine.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr int kAddresses = 120;
constexpr rlim_t kLimit = 64;

std::string address(int i) {
    return "127.57." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

size_t append(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

// Body of GET http://127.0.0.1:port/path, nullopt when no answer within 2 s.
std::optional<std::string> get(uint16_t port, const std::string& path, long* status = nullptr) {
    CURL* c = curl_easy_init();
    std::string body;
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    const CURLcode rc = curl_easy_perform(c);
    if (status != nullptr) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) return std::nullopt;
    return body;
}

// A TCP port free on the first address (NSD then takes it on all of them, UDP and TCP).
uint16_t free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, address(0).c_str(), &sa.sin_addr);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    socklen_t len = sizeof sa;
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    close(fd);
    return ntohs(sa.sin_port);
}

// CPU seconds (user + system) of a process.
double cpu_seconds(pid_t pid) {
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    std::istringstream in(stat.substr(stat.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15; ++i) {
        in >> field;
        if (i == 14 || i == 15) ticks += std::stod(field);
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

pid_t spawn(const std::vector<std::string>& argv, const fs::path& log, rlim_t nofile,
            bool own_group) {
    const pid_t pid = fork();
    if (pid == 0) {
        if (own_group) setsid();
        if (nofile != 0) {
            const rlimit lim{nofile, nofile};
            if (setrlimit(RLIMIT_NOFILE, &lim) != 0) _exit(126);
        }
        if (freopen(log.c_str(), "a", stderr) == nullptr) _exit(126);
        dup2(2, 1);
        close_range(3, ~0U, 0);  // only what the daemon opens itself counts against its limit
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    return pid;
}

int stop(pid_t pid, bool group) {
    if (pid <= 0) return -1;
    kill(group ? -pid : pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        std::this_thread::sleep_for(100ms);
    }
    kill(group ? -pid : pid, SIGKILL);
    waitpid(pid, &status, 0);
    return 128 + SIGKILL;
}

struct Nsd {
    pid_t pid = -1;
    uint16_t port = 0;
    Nsd(const fs::path& dir, int zones) {
        port = free_port();
        fs::create_directories(dir / "zones");
        std::ofstream conf(dir / "nsd.conf");
        conf << "server:\n";
        for (int i = 0; i < kAddresses; ++i) conf << "    ip-address: " << address(i) << "\n";
        conf << "    port: " << port << "\n"
             << "    server-count: 1\n    reuseport: no\n    username: \"\"\n    chroot: \"\"\n"
             << "    database: \"\"\n    zonelistfile: \"" << (dir / "zone.list").string() << "\"\n"
             << "    xfrdfile: \"" << (dir / "xfrd.state").string() << "\"\n"
             << "    xfrdir: \"" << dir.string() << "\"\n"
             << "    pidfile: \"" << (dir / "nsd.pid").string() << "\"\n"
             << "    zonesdir: \"" << (dir / "zones").string() << "\"\n"
             << "    logfile: \"" << (dir / "nsd.log").string() << "\"\n"
             << "    verbosity: 0\n    rrl-ratelimit: 0\n    rrl-whitelist-ratelimit: 0\n"
             << "remote-control:\n    control-enable: no\n";
        for (int z = 0; z < zones; ++z) {
            const std::string name = "z" + std::to_string(z) + ".fdlimit.test";
            conf << "zone:\n    name: \"" << name << "\"\n    zonefile: \"" << name << ".zone\"\n";
            std::ofstream(dir / "zones" / (name + ".zone"))
                << "$TTL 3600\n@ IN SOA ns1 hostmaster 2024010101 3600 900 604800 300\n"
                << "@ IN NS ns1\n@ IN NS ns2\n";
        }
        conf.close();
        pid = spawn({"nsd", "-d", "-c", (dir / "nsd.conf").string()}, dir / "nsd.out", 0, true);
        // Answering on the first and the last address.
        nswatch::ProbeEngine engine;
        for (int attempt = 0; attempt < 100; ++attempt) {
            std::vector<nswatch::ProbeRequest> asks;
            for (int i : {0, kAddresses - 1}) {
                nswatch::ProbeRequest r;
                r.target.address = address(i);
                r.target.port = port;
                r.query.name = "z0.fdlimit.test";
                r.timeout = 200ms;
                asks.push_back(r);
            }
            int ok = 0;
            for (const auto& r : engine.run_batch(asks)) ok += r.outcome == nswatch::Outcome::ok;
            if (ok == 2) return;
            REQUIRE(waitpid(pid, nullptr, WNOHANG) == 0);  // NSD still running
            std::this_thread::sleep_for(100ms);
        }
        FAIL("NSD does not answer: " << read_file(dir / "nsd.out") << read_file(dir / "nsd.log"));
    }
    ~Nsd() { stop(pid, true); }
};

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/nswatch-fdlimit.XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

// Sum of nswatch_probes_total by outcome, and the (ip, transport) pairs with an ok probe.
struct ProbeCounts {
    std::map<std::string, double> by_outcome;
    std::set<std::pair<std::string, std::string>> ok_targets;
};

ProbeCounts probe_counts(const std::string& metrics) {
    ProbeCounts c;
    const std::regex line(R"(^nswatch_probes_total\{(.*)\} ([0-9.e+]+)$)");
    const std::regex label(R"re((\w+)="([^"]*)")re");
    std::istringstream in(metrics);
    std::string l;
    while (std::getline(in, l)) {
        std::smatch m;
        if (!std::regex_match(l, m, line)) continue;
        std::map<std::string, std::string> labels;
        const std::string inside = m[1];
        for (auto it = std::sregex_iterator(inside.begin(), inside.end(), label);
             it != std::sregex_iterator(); ++it)
            labels[(*it)[1]] = (*it)[2];
        const double n = std::stod(m[2]);
        c.by_outcome[labels["outcome"]] += n;
        if (labels["outcome"] == "ok" && n > 0)
            c.ok_targets.emplace(labels["ip"], labels["transport"]);
    }
    return c;
}

}  // namespace

TEST_CASE("fd limit: 120 addresses under a hard limit of 64: one clear line, no false alerts",
          "[hostile][fd_limit]") {
    TempDir dir;
    Nsd nsd(dir.path / "nsd", kAddresses);

    std::ofstream cfg(dir.path / "nswatch.yml");
    cfg << "probe: {timeout: 1s, interval: 2s, jitter: 0%, tcp_every: 1}\n"
        << "storage: {path: " << (dir.path / "history.db").string() << "}\n"
        << "http: {listen: '127.0.0.1:0'}\n"
        << "zones:\n";
    for (int z = 0; z < kAddresses; ++z) {
        cfg << "  - name: z" << z << ".fdlimit.test\n    nameservers:\n";
        for (int k : {z, (z + 1) % kAddresses}) {
            cfg << "      - {name: ns" << (k == z ? 1 : 2) << ".z" << z
                << ".fdlimit.test, addresses: [" << address(k) << "], port: " << nsd.port
                << ", provider: p" << k % 2 << "}\n";
        }
    }
    cfg.close();
    const fs::path log = dir.path / "daemon.log";
    const pid_t daemon =
        spawn({NSWATCH_BIN, "run", "-c", (dir.path / "nswatch.yml").string()}, log, kLimit, false);
    struct Reaper {
        pid_t pid;
        ~Reaper() { stop(pid, false); }
    } reaper{daemon};

    // The HTTP port, from the log line that announces it.
    uint16_t port = 0;
    const std::regex listening(R"(http: listening on 127\.0\.0\.1:0 \(port (\d+)\))");
    for (int i = 0; i < 100 && port == 0; ++i) {
        std::smatch m;
        const std::string text = read_file(log);
        if (std::regex_search(text, m, listening)) port = static_cast<uint16_t>(std::stoi(m[1]));
        REQUIRE(waitpid(daemon, nullptr, WNOHANG) == 0);  // still running
        std::this_thread::sleep_for(100ms);
    }
    INFO(read_file(log));
    REQUIRE(port != 0);

    // Rounds run for 10 s (5 intervals): /healthz answers all along, and the daemon's CPU time
    // over those 10 s stays far below one core (a spin would take all of it).
    const double cpu_before = cpu_seconds(daemon);
    const auto t0 = std::chrono::steady_clock::now();
    int healthz_answers = 0, healthz_asks = 0;
    while (std::chrono::steady_clock::now() - t0 < 10s) {
        long status = 0;
        ++healthz_asks;
        if (get(port, "/healthz", &status) && status == 200) ++healthz_answers;
        std::this_thread::sleep_for(500ms);
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_seconds(daemon) - cpu_before;
    CHECK(healthz_answers == healthz_asks);
    CHECK(cpu < 0.3 * wall);

    const auto metrics = get(port, "/metrics");
    REQUIRE(metrics);
    ProbeCounts counts = probe_counts(*metrics);
    const std::string text = read_file(log);
    INFO(text);
    // One clear line at start-up, naming the limit and what the daemon does instead.
    const std::string short_line = "open-files limit 64 is short of the";
    CHECK(text.find(short_line) != std::string::npos);
    CHECK(text.find(short_line) == text.rfind(short_line));
    CHECK(text.find("probes in flight, the others wait their turn") != std::string::npos);
    // Every server is healthy: nothing but ok, and every address probed over UDP and TCP.
    CHECK(counts.by_outcome["ok"] >= 4 * kAddresses);
    CHECK(counts.by_outcome.count("network_error") == 0);
    CHECK(counts.by_outcome.count("local_error") == 0);
    CHECK(counts.by_outcome.size() == 1);
    CHECK(counts.ok_targets.size() == 2 * kAddresses);
    CHECK(text.find("network_error") == std::string::npos);
    CHECK(text.find("Too many open files") == std::string::npos);

    CHECK(stop(daemon, false) == 0);
    reaper.pid = -1;
}
