// NOTIFY listener, propagation runs and zone diff on the lab: BIND (alpha) also-notifies
// 127.63.0.1 port 5353 (lab.sh), where `nswatch run` listens; NSD (beta) and Knot (gamma) are
// timed from that NOTIFY to their serving the new serial; `nswatch diff` transfers the copies.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

// After the C++ headers: ldns's common.h redefines bool/false in ways <optional> trips over.
#include <ldns/ldns.h>

#include "lab_env.hpp"
#include "lab_process.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kHttp = "127.63.0.1:19353";
constexpr const char* kNotifyAddr = "127.63.0.1";
constexpr uint16_t kNotifyPort = 5353;
constexpr const char* kLabKey = "bnN3YXRjaC1sYWItbm90aWZ5LWtleS10ZXN0LW9ubHkh";
constexpr const char* kWrongKey = "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmch";

size_t append(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

std::string metrics() {
    CURL* c = curl_easy_init();
    std::string body;
    curl_easy_setopt(c, CURLOPT_URL, (std::string("http://") + kHttp + "/metrics").c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? body : std::string();
}

// The value of the first sample of `name` whose labels contain every `needles`; nullopt if none.
std::optional<double> sample(const std::string& text, const std::string& name,
                             const std::vector<std::string>& needles) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(name + "{", 0) != 0) continue;
        const bool all = std::all_of(needles.begin(), needles.end(), [&](const std::string& n) {
            return line.find(n) != std::string::npos;
        });
        if (all) return std::stod(line.substr(line.rfind(' ') + 1));
    }
    return std::nullopt;
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(100ms);
    }
    return pred();
}

std::string read_file(const fs::path& p) {
    std::ostringstream s;
    s << std::ifstream(p).rdbuf();
    return s.str();
}

// A server log's local-time stamp ("2026-12-02 18:01:54.689" for NSD, "02-Dec-2026
// 18:01:54.602" for BIND) as Unix milliseconds; -1 when `text` does not start with one.
int64_t log_ms(const std::string& text, const char* format) {
    std::tm tm{};
    std::istringstream in(text);
    in >> std::get_time(&tm, format);
    char dot = 0;
    int ms = 0;
    if (in.fail() || !(in >> dot >> ms) || dot != '.') return -1;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm)) * 1000 + ms;
}

// The first line of `log` containing every needle, or "".
std::string find_line(const std::string& log, const std::vector<std::string>& needles) {
    std::istringstream in(log);
    std::string line;
    while (std::getline(in, line)) {
        if (std::all_of(needles.begin(), needles.end(),
                        [&](const std::string& n) { return line.find(n) != std::string::npos; })) {
            return line;
        }
    }
    return "";
}

// From the daemon's database: the run's start (NOTIFY arrival, Unix ms) and, per provider, the
// ms from there to its slowest address serving the serial.
struct StoredRun {
    int64_t started_ms = -1;
    std::map<std::string, int64_t> provider_ms;
};

StoredRun stored_run(const fs::path& db, uint32_t serial) {
    StoredRun out;
    sqlite3* h = nullptr;
    sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(h,
                       "SELECT r.started_ms, a.provider, max(a.ms) FROM propagation_runs r "
                       "JOIN propagation_addresses a ON a.run_id = r.id WHERE r.serial = ? "
                       "GROUP BY r.id, a.provider",
                       -1, &st, nullptr);
    sqlite3_bind_int64(st, 1, serial);
    while (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
        out.started_ms = sqlite3_column_int64(st, 0);
        out.provider_ms[reinterpret_cast<const char*>(sqlite3_column_text(st, 1))] =
            sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return out;
}

struct Daemon {
    pid_t pid = -1;
    fs::path dir;

    Daemon(const fs::path& d, const std::string& notify_section) : dir(d) {
        std::ofstream(dir / "nswatch.yml")
            << "root_hints: " << nswatch::lab::root_hints() << "\n"
            << "probe: {timeout: 400ms, interval: 2s, jitter: 0%, tcp_every: 0}\n"
            << "discovery: {interval: 1h, timeout: 500ms}\n"
            << "http: {listen: '" << kHttp << "'}\n"
            << "storage: {path: history.db}\n"
            << "keys:\n  - {name: lab-key, secret: '" << kLabKey << "'}\n"
            << notify_section << "propagation: {fast_interval: 50ms, deadline: 6s}\n"
            << "providers:\n"
            << "  - {name: alpha, patterns: ['*.alpha-dns.test'],\n"
            << "     transfer: {server: 127.53.1.1, source: 127.63.0.1}}\n"
            << "  - {name: beta, patterns: ['*.beta-dns.test'],\n"
            << "     transfer: {server: 127.53.2.1, source: 127.63.0.1}}\n"
            << "  - {name: gamma, patterns: ['*.gamma-dns.test'],\n"
            << "     transfer: {server: 127.53.3.1, source: 127.63.0.1}}\n"
            << "zones:\n  - {name: shop.test, primary: ns1.alpha-dns.test}\n";
        pid = fork();
        if (pid == 0) {
            const std::string log = (dir / "daemon.log").string();
            freopen(log.c_str(), "a", stderr);
            const std::string cfg = (dir / "nswatch.yml").string();
            execl(NSWATCH_BIN, NSWATCH_BIN, "run", "-c", cfg.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
    }
    ~Daemon() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
    }
    std::string log() const { return read_file(dir / "daemon.log"); }
};

fs::path scratch(const std::string& name) {
    return nswatch::lab::scratch_dir("nswatch-notify-test-" + name);
}

const std::string kUnsignedNotify =
    "notify: {listen: '127.63.0.1:5353', allow: [127.53.1.0/24, 'fd00:53::1:0/112']}\n";
const std::string kSignedNotify =
    "notify: {listen: '127.63.0.1:5353', allow: [127.63.0.0/16], keys: [lab-key]}\n";

// A NOTIFY for shop.test, optionally signed, as wire bytes.
std::vector<uint8_t> notify_bytes(uint16_t id, const char* secret = nullptr) {
    ldns_pkt* pkt = ldns_pkt_query_new(ldns_dname_new_frm_str("shop.test."), LDNS_RR_TYPE_SOA,
                                       LDNS_RR_CLASS_IN, LDNS_AA);
    ldns_pkt_set_opcode(pkt, LDNS_PACKET_NOTIFY);
    ldns_pkt_set_id(pkt, id);
    if (secret != nullptr)
        ldns_pkt_tsig_sign(pkt, "lab-key.", secret, 300, "hmac-sha256.", nullptr);
    uint8_t* wire = nullptr;
    size_t size = 0;
    ldns_pkt2wire(&wire, pkt, &size);
    std::vector<uint8_t> out(wire, wire + size);
    std::free(wire);
    ldns_pkt_free(pkt);
    return out;
}

// Send from `source` to the listener over UDP; the reply's rcode, or -1 when none came.
int send_udp(const std::vector<uint8_t>& msg, const char* source) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    inet_pton(AF_INET, source, &src.sin_addr);
    bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(kNotifyPort);
    inet_pton(AF_INET, kNotifyAddr, &dst.sin_addr);
    sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
    uint8_t buf[1024];
    pollfd p{fd, POLLIN, 0};
    int rcode = -1;
    if (poll(&p, 1, 2000) == 1) {
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n >= 12) rcode = buf[3] & 0x0F;
    }
    close(fd);
    return rcode;
}

struct Run {
    int code = -1;
    std::string out;
};

Run run_diff(const fs::path& cfg, const std::string& extra) {
    const std::string cmd =
        std::string(NSWATCH_BIN) + " diff shop.test -c " + cfg.string() + " " + extra + " 2>&1";
    Run r;
    FILE* p = popen(cmd.c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int st = pclose(p);
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

}  // namespace

TEST_CASE("notify: BIND NOTIFY starts a run, NSD and Knot are timed, a blocked provider lags") {
    const fs::path dir = scratch("run");
    Daemon d(dir, kUnsignedNotify);
    REQUIRE(eventually([] { return !metrics().empty(); }, 10s));
    // One round must have run so the run knows the zone's addresses.
    REQUIRE(eventually([&] { return d.log().find("notify: listening") != std::string::npos; }, 5s));
    std::this_thread::sleep_for(2500ms);

    const uint32_t serial = nswatch::lab::bump();
    const std::string s = std::to_string(serial);
    REQUIRE(eventually(
        [] {
            const auto m = metrics();
            return sample(m, "nswatch_propagation_last_seconds", {"provider=\"beta\""}) &&
                   sample(m, "nswatch_propagation_last_seconds", {"provider=\"gamma\""});
        },
        10s));
    const std::string m = metrics();
    CHECK(sample(m, "nswatch_notify_messages_total", {"verdict=\"accepted\""}).value_or(0) >= 1);
    const double beta = *sample(m, "nswatch_propagation_last_seconds", {"provider=\"beta\""});
    const double gamma = *sample(m, "nswatch_propagation_last_seconds", {"provider=\"gamma\""});
    INFO("beta " << beta << " s, gamma " << gamma << " s");
    CHECK(beta < 5);
    CHECK(gamma < 5);
    CHECK(
        sample(m, "nswatch_propagation_seconds_count", {"provider=\"beta\"", "zone=\"shop.test\""})
            .value_or(0) >= 1);
    const std::string log = d.log();
    CHECK(log.find("notify: shop.test serial " + s + " from 127.53.1.1 over udp") !=
          std::string::npos);
    CHECK(log.find("serial " + s + " reached beta") != std::string::npos);
    CHECK(log.find("serial " + s + " reached gamma") != std::string::npos);
    nswatch::lab::wait_sync(10);

    // Agreement with the servers' own logs. NSD logs (ms resolution) when its serving process
    // has loaded the new serial: "zone shop.test. serial A is updated to B". Knot logs to the
    // second only, so for gamma the server-side time is BIND's (ms) "IXFR ended" for the transfer
    // to Knot's source address: Knot serves the serial a few ms after that. Both are compared
    // with the stored per-provider time from the NOTIFY's arrival (the run's start).
    const StoredRun run = stored_run(dir / "history.db", serial);
    REQUIRE(run.started_ms > 0);
    const std::string logs = nswatch::lab::lab_dir() + "/logs/";
    const std::string nsd_line = find_line(read_file(logs + "beta.log"), {"is updated to " + s});
    // Knot transfers from one of its own addresses (Knot's `via`); IXFR or AXFR.
    const std::string alpha_log = read_file(logs + "alpha.log");
    std::string bind_line = find_line(alpha_log, {" 127.53.3.", "ended", "(serial " + s + ")"});
    const std::string bind_v6 =
        find_line(alpha_log, {" fd00:53::3:", "ended", "(serial " + s + ")"});
    if (bind_line.empty() || (!bind_v6.empty() && bind_v6 < bind_line)) bind_line = bind_v6;
    INFO("NSD: " << nsd_line << "\nBIND: " << bind_line);
    REQUIRE(nsd_line.size() > 25);
    REQUIRE_FALSE(bind_line.empty());
    const int64_t nsd_ms = log_ms(nsd_line.substr(1), "%Y-%m-%d %H:%M:%S");
    const int64_t bind_ms = log_ms(bind_line, "%d-%b-%Y %H:%M:%S");
    REQUIRE(nsd_ms > 0);
    REQUIRE(bind_ms > 0);
    const int64_t beta_log = std::max<int64_t>(0, nsd_ms - run.started_ms);
    const int64_t gamma_log = std::max<int64_t>(0, bind_ms - run.started_ms);
    INFO("beta measured " << run.provider_ms.at("beta") << " ms, NSD log " << beta_log
                          << " ms; gamma measured " << run.provider_ms.at("gamma")
                          << " ms, BIND transfer log " << gamma_log << " ms");
    CHECK(std::abs(run.provider_ms.at("beta") - beta_log) <= 100);
    CHECK(std::abs(run.provider_ms.at("gamma") - gamma_log) <= 100);
    std::cerr << "propagation of " << s << ": beta measured " << run.provider_ms.at("beta")
              << " ms vs NSD log " << beta_log << " ms; gamma measured "
              << run.provider_ms.at("gamma") << " ms vs BIND's transfer log " << gamma_log
              << " ms\n";

    // status --db shows the last propagation per provider.
    FILE* st =
        popen((std::string(NSWATCH_BIN) + " status --db " + (dir / "history.db").string() + " 2>&1")
                  .c_str(),
              "r");
    std::string status_out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, st)) > 0) status_out.append(buf, n);
    pclose(st);
    INFO(status_out);
    CHECK(status_out.find("last propagation per provider") != std::string::npos);
    CHECK(std::regex_search(status_out, std::regex("shop\\.test +gamma +default +" + s)));

    // Transfers to gamma blocked: its run never completes, and says so at the deadline.
    nswatch::lab::block_xfr("gamma");
    const uint32_t blocked_serial = nswatch::lab::bump();
    const bool reported = eventually(
        [] {
            return sample(metrics(), "nswatch_propagation_incomplete", {"provider=\"gamma\""})
                       .value_or(0) == 1;
        },
        12s);
    nswatch::lab::unblock_xfr("gamma");
    nswatch::lab::notify();
    CHECK(reported);
    CHECK(
        sample(metrics(), "nswatch_propagation_runs_total", {"result=\"deadline\""}).value_or(0) ==
        1);
    CHECK(d.log().find("serial " + std::to_string(blocked_serial) + " did not reach gamma") !=
          std::string::npos);
    // beta still got it and was timed.
    CHECK(
        sample(metrics(), "nswatch_propagation_seconds_count", {"provider=\"beta\""}).value_or(0) >=
        2);

    // An unlisted source is refused; garbage is counted and dropped.
    CHECK(send_udp(notify_bytes(7), "127.63.0.9") == LDNS_RCODE_REFUSED);
    CHECK(send_udp({0xde, 0xad, 0xbe, 0xef}, "127.53.1.1") == -1);
    CHECK(eventually(
        [] {
            const auto m = metrics();
            return sample(m, "nswatch_notify_messages_total", {"verdict=\"refused_source\""})
                           .value_or(0) == 1 &&
                   sample(m, "nswatch_notify_messages_total", {"verdict=\"malformed\""})
                           .value_or(0) == 1;
        },
        3s));
    nswatch::lab::wait_sync(15);
}

TEST_CASE(
    "notify: a change found by polling starts a run, and with a key required a wrong "
    "TSIG key or none is NOTAUTH, the right one accepted") {
    const fs::path dir = scratch("tsig");
    Daemon d(dir, kSignedNotify);
    REQUIRE(eventually([] { return !metrics().empty(); }, 10s));

    // BIND's unsigned NOTIFY from an address outside `allow` is refused here, so a change is
    // found by the rounds (every 2 s): that first sighting starts the run ("poll").
    std::this_thread::sleep_for(2500ms);
    const std::string polled = std::to_string(nswatch::lab::bump());
    CHECK(eventually(
        [&] {
            return d.log().find("serial " + polled + " (poll)") != std::string::npos &&
                   sample(metrics(), "nswatch_propagation_last_seconds", {"provider=\"gamma\""});
        },
        10s));
    CHECK(sample(metrics(), "nswatch_notify_messages_total", {"verdict=\"refused_source\""})
              .value_or(0) >= 1);

    CHECK(send_udp(notify_bytes(1, kWrongKey), "127.63.0.2") == LDNS_RCODE_NOTAUTH);
    CHECK(send_udp(notify_bytes(2), "127.63.0.2") == LDNS_RCODE_NOTAUTH);
    CHECK(send_udp(notify_bytes(3, kLabKey), "127.63.0.2") == LDNS_RCODE_NOERROR);
    CHECK(send_udp(notify_bytes(4, kLabKey), "127.63.0.2") == LDNS_RCODE_NOERROR);
    CHECK(eventually(
        [] {
            const auto m = metrics();
            return sample(m, "nswatch_notify_messages_total", {"verdict=\"bad_tsig\""})
                           .value_or(0) == 2 &&
                   sample(m, "nswatch_notify_messages_total", {"verdict=\"accepted\""})
                           .value_or(0) == 2;
        },
        3s));
    CHECK(d.log().find("key lab-key") != std::string::npos);

    // SIGHUP with the key requirement dropped: the listener keeps its socket and judges the next
    // NOTIFY by the new policy, so an unsigned one is accepted.
    {
        std::string cfg = read_file(dir / "nswatch.yml");
        const auto at = cfg.find(kSignedNotify);
        REQUIRE(at != std::string::npos);
        cfg.replace(at, kSignedNotify.size(),
                    "notify: {listen: '127.63.0.1:5353', allow: [127.63.0.0/16]}\n");
        std::ofstream(dir / "nswatch.yml") << cfg;
    }
    kill(d.pid, SIGHUP);
    REQUIRE(
        eventually([&] { return d.log().find("propagation: reloaded") != std::string::npos; }, 5s));
    CHECK(send_udp(notify_bytes(5), "127.63.0.2") == LDNS_RCODE_NOERROR);
    CHECK(d.log().find("needs a restart") == std::string::npos);
}

TEST_CASE("notify: diff names exactly the record that differs between primary and secondary") {
    const fs::path dir = scratch("diff");
    std::ofstream(dir / "diff.yml") << "providers:\n"
                                    << "  - {name: alpha, patterns: ['*.alpha-dns.test'],\n"
                                    << "     transfer: {server: 127.53.1.1, source: 127.63.0.1}}\n"
                                    << "  - {name: beta, patterns: ['*.beta-dns.test'],\n"
                                    << "     transfer: {server: 127.53.2.1, source: 127.63.0.1}}\n"
                                    << "  - {name: gamma, patterns: ['*.gamma-dns.test'],\n"
                                    << "     transfer: {server: 127.53.3.1, source: 127.63.0.1}}\n";
    nswatch::lab::bump();  // so lab-bump exists everywhere and the later change is "changed"
    nswatch::lab::wait_sync(15);
    Run same = run_diff(dir / "diff.yml", "");
    INFO(same.out);
    CHECK(same.code == 0);
    CHECK(same.out.find("identical") != std::string::npos);

    // beta keeps the old copy: the primary's lab-bump TXT differs, nothing else.
    nswatch::lab::block_xfr("beta");
    const uint32_t serial = nswatch::lab::bump();
    Run diff = run_diff(dir / "diff.yml", "--provider alpha --provider beta --json");
    nswatch::lab::unblock_xfr("beta");
    nswatch::lab::notify();
    INFO(diff.out);
    REQUIRE(diff.code == 1);
    const auto j = nlohmann::json::parse(diff.out);
    CHECK(j["reference"]["serial"] == serial);
    REQUIRE(j["providers"].size() == 1);
    const auto& diffs = j["providers"][0]["differences"];
    REQUIRE(diffs.size() == 1);
    CHECK(diffs[0]["owner"] == "lab-bump.shop.test.");
    CHECK(diffs[0]["type"] == "TXT");
    CHECK(diffs[0]["kind"] == "changed");
    CHECK(j["providers"][0]["serial"] == serial - 1);
    nswatch::lab::wait_sync(15);
}
