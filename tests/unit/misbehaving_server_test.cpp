// Tests for prober/engine.cpp against tests/tools/baddns.cpp, our own misbehaving DNS server: each
// kind of broken reply must end as its own Outcome, quickly, without a crash or a stalled loop.
//
// Every server runs on a free loopback port for one test and is stopped by pid when it ends; if
// this process dies instead, the server sees its stdin close and exits by itself.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "prober/engine.hpp"
#include "prober/probe_result.hpp"

extern char** environ;

namespace nswatch {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Short, so that the timeout cases keep the suite fast, yet far above loopback RTTs.
constexpr milliseconds kTimeout{400};
// "Ends within timeout + 500 ms": how late a probe may end before we call it a hang.
constexpr milliseconds kSlack{500};

/// One nswatch_baddns process in the given mode, on 127.0.0.1 and a port of its choosing.
class BadDns {
  public:
    explicit BadDns(const std::string& mode) {
        // The server's stderr goes to a file that is unlinked at once: we read it through our own
        // descriptor, and nothing is left behind even if the test aborts.
        char log_template[] = "/tmp/nswatch-baddns-XXXXXX";
        log_fd_ = mkostemp(log_template, O_CLOEXEC);
        if (log_fd_ < 0) throw std::runtime_error("mkostemp failed");
        unlink(log_template);

        int to_child[2];    // the child's stdin: kept open by us until the destructor
        int from_child[2];  // the child's stdout: "READY <port>"
        if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) {
            fail("pipe2 failed");
        }
        // dup2 clears O_CLOEXEC on the child's copies only: other servers started by this process
        // do not inherit our ends, so each server's stdin closes exactly when its owner goes.
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&actions, log_fd_, STDERR_FILENO);
        const std::string bin = NSWATCH_BADDNS_BIN;
        std::vector<std::string> args = {bin,      "--listen", "127.0.0.1", "--port",   "0",
                                         "--mode", mode,       "--zone",    "shop.test"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const int rc = posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        close(to_child[0]);
        close(from_child[1]);
        stdin_fd_ = to_child[1];
        stdout_fd_ = from_child[0];
        if (rc != 0) {
            pid_ = -1;
            fail("cannot start " + bin + ": " + std::strerror(rc));
        }
        port_ = read_ready();
        if (port_ == 0) fail("baddns --mode " + mode + " did not print READY: " + log());
    }

    ~BadDns() {
        stop();
        close(log_fd_);
    }
    BadDns(const BadDns&) = delete;
    BadDns& operator=(const BadDns&) = delete;

    uint16_t port() const { return port_; }

    /// What the server wrote to stderr so far: one line per query received.
    std::string log() const {
        std::string out;
        char buf[4096];
        ssize_t n = 0;
        // pread: the server shares this file offset through its stderr; do not move it.
        while ((n = pread(log_fd_, buf, sizeof buf, static_cast<off_t>(out.size()))) > 0) {
            out.append(buf, static_cast<size_t>(n));
        }
        return out;
    }

    /// Queries the server received over `transport` ("udp" or "tcp").
    size_t queries(const std::string& transport) const {
        std::istringstream lines(log());
        size_t n = 0;
        for (std::string line; std::getline(lines, line);) {
            if (line.find(" " + transport + " ") != std::string::npos &&
                line.find(" mode=") != std::string::npos) {
                ++n;
            }
        }
        return n;
    }

  private:
    // The destructor does not run for a constructor that throws: clean up here.
    [[noreturn]] void fail(const std::string& why) {
        stop();
        close(log_fd_);
        throw std::runtime_error(why);
    }

    uint16_t read_ready() {
        std::string line;
        const auto deadline = Clock::now() + std::chrono::seconds(10);
        while (line.find('\n') == std::string::npos && Clock::now() < deadline) {
            pollfd p{stdout_fd_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[64];
            const ssize_t n = read(stdout_fd_, buf, sizeof buf);
            if (n <= 0) break;  // exited before READY
            line.append(buf, static_cast<size_t>(n));
        }
        unsigned port = 0;
        if (std::sscanf(line.c_str(), "READY %u", &port) != 1 || port > 65535) return 0;
        return static_cast<uint16_t>(port);
    }

    void stop() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            // A server stuck somewhere must not hang the suite: escalate after 2 s.
            int status = 0;
            bool reaped = false;
            for (int i = 0; i < 200 && !reaped; ++i) {
                reaped = waitpid(pid_, &status, WNOHANG) == pid_;
                if (!reaped) std::this_thread::sleep_for(milliseconds(10));
            }
            if (!reaped) {
                kill(pid_, SIGKILL);
                waitpid(pid_, &status, 0);
            }
            pid_ = -1;
        }
        if (stdin_fd_ >= 0) close(stdin_fd_);
        if (stdout_fd_ >= 0) close(stdout_fd_);
        stdin_fd_ = stdout_fd_ = -1;
    }

    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    int log_fd_ = -1;
    uint16_t port_ = 0;
};

/// Aborts the test run if a probe has not come back after `limit`: a stalled engine then fails
/// the test it stalled in (Catch names it on SIGABRT) instead of hanging until ctest's timeout.
class Watchdog {
  public:
    Watchdog(std::string what, std::chrono::seconds limit)
        : thread_([this, what = std::move(what), limit] {
              std::unique_lock lock(mutex_);
              if (!done_cv_.wait_for(lock, limit, [this] { return done_; })) {
                  std::fprintf(stderr, "watchdog: %s still running after %llds: engine stall\n",
                               what.c_str(), static_cast<long long>(limit.count()));
                  std::abort();
              }
          }) {}

    ~Watchdog() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        done_cv_.notify_one();
        thread_.join();
    }

  private:
    std::mutex mutex_;
    std::condition_variable done_cv_;
    bool done_ = false;
    std::thread thread_;  // last: starts after the members it uses exist
};

constexpr std::chrono::seconds kWatchdog{10};

ProbeRequest request_to(uint16_t port, Transport transport, bool edns = true) {
    ProbeRequest r;
    r.target.zone = "shop.test";
    r.target.nameserver = "baddns.test";
    r.target.address = "127.0.0.1";
    r.target.port = port;
    r.target.transport = transport;
    r.query.name = "shop.test";
    r.query.type = 6;  // SOA
    r.query.edns = edns;
    r.query.nsid = edns;
    r.timeout = kTimeout;
    return r;
}

struct Run {
    std::vector<ProbeResult> results;
    milliseconds elapsed{0};
};

Run probe(uint16_t port, Transport transport, bool edns = true) {
    ProbeEngine engine;
    const auto start = Clock::now();
    Run run;
    {
        Watchdog watchdog("a probe to 127.0.0.1:" + std::to_string(port), kWatchdog);
        run.results = engine.run_batch({request_to(port, transport, edns)});
    }
    run.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    return run;
}

std::string text(const std::vector<ProbeResult>& results) {
    std::string out;
    for (const auto& r : results) out += describe(r) + "\n";
    return out;
}

std::string_view name(Outcome o) {
    return to_string(o);
}

struct Case {
    std::string mode;
    Transport transport;
    Outcome expected;
};

// One reply, one outcome: the same classification whichever transport carried the reply.
const std::vector<Case> kSingleReplyCases = {
    {"wrong-id", Transport::udp, Outcome::id_mismatch},
    {"wrong-id", Transport::tcp, Outcome::id_mismatch},
    {"wrong-question", Transport::udp, Outcome::question_mismatch},
    {"wrong-question", Transport::tcp, Outcome::question_mismatch},
    {"garbage", Transport::udp, Outcome::malformed},
    {"garbage", Transport::tcp, Outcome::malformed},
    {"short", Transport::udp, Outcome::malformed},
    {"short", Transport::tcp, Outcome::malformed},
    {"truncated-packet", Transport::udp, Outcome::malformed},
    {"truncated-packet", Transport::tcp, Outcome::malformed},
    {"no-aa", Transport::udp, Outcome::not_authoritative},
    {"no-aa", Transport::tcp, Outcome::not_authoritative},
    {"refused", Transport::udp, Outcome::refused},
    {"refused", Transport::tcp, Outcome::refused},
    {"servfail", Transport::udp, Outcome::servfail},
    {"servfail", Transport::tcp, Outcome::servfail},
    {"formerr", Transport::udp, Outcome::formerr},
    {"formerr", Transport::tcp, Outcome::formerr},
    {"nxdomain", Transport::udp, Outcome::nxdomain},
    {"nxdomain", Transport::tcp, Outcome::nxdomain},
    {"silent", Transport::udp, Outcome::timeout},
    {"silent", Transport::tcp, Outcome::timeout},
};

}  // namespace

TEST_CASE("baddns ok: an authoritative SOA answer with serial and NSID", "[baddns][engine]") {
    BadDns server("ok");
    for (Transport t : {Transport::udp, Transport::tcp}) {
        DYNAMIC_SECTION("over " << to_string(t)) {
            const Run run = probe(server.port(), t);
            INFO(text(run.results) << server.log());
            REQUIRE(run.results.size() == 1);
            const ProbeResult& r = run.results[0];
            CHECK(name(r.outcome) == name(Outcome::ok));
            CHECK(r.rcode == 0);
            CHECK(r.aa);
            CHECK_FALSE(r.tc);
            REQUIRE(r.soa.has_value());
            CHECK(r.soa->serial == 2026112201u);
            CHECK(r.soa->mname == "ns1.shop.test.");
            CHECK(r.has_opt);
            CHECK(r.nsid == "baddns-1");
            CHECK(r.target.transport == t);
            CHECK(run.elapsed < kTimeout);  // answered, not timed out
        }
    }
}

TEST_CASE("baddns modes: each broken reply has its own outcome over UDP and TCP",
          "[baddns][engine]") {
    for (const Case& c : kSingleReplyCases) {
        DYNAMIC_SECTION(c.mode << " over " << to_string(c.transport) << " is "
                               << name(c.expected)) {
            BadDns server(c.mode);
            const Run run = probe(server.port(), c.transport);
            INFO(text(run.results) << server.log());
            REQUIRE(run.results.size() == 1);
            const ProbeResult& r = run.results[0];
            CHECK(name(r.outcome) == name(c.expected));
            CHECK(r.target.transport == c.transport);
            CHECK_FALSE(r.retried_from_tc);
            // Anything but ok says why in one sentence (probe_result.hpp); a broken reply that
            // only reached us as a timeout must still name its evidence.
            if (c.expected == Outcome::id_mismatch || c.expected == Outcome::question_mismatch ||
                c.expected == Outcome::malformed) {
                CHECK_FALSE(r.detail.empty());
            }
            CHECK(r.rtt <= kTimeout + kSlack);
            CHECK(run.elapsed <= kTimeout + kSlack);
            CHECK(server.queries(std::string(to_string(c.transport))) == 1);
        }
    }
}

TEST_CASE("baddns silent: a timeout after about the timeout and not earlier", "[baddns][engine]") {
    BadDns server("silent");
    for (Transport t : {Transport::udp, Transport::tcp}) {
        DYNAMIC_SECTION("over " << to_string(t)) {
            const Run run = probe(server.port(), t);
            INFO(text(run.results) << server.log());
            REQUIRE(run.results.size() == 1);
            const ProbeResult& r = run.results[0];
            CHECK(name(r.outcome) == name(Outcome::timeout));
            CHECK(r.rcode == -1);
            CHECK(r.rtt >= kTimeout * 9 / 10);
            CHECK(r.rtt <= kTimeout + kSlack);
        }
    }
}

TEST_CASE("baddns tcp-length-lie: a TCP reply shorter than its length prefix does not hang",
          "[baddns][engine]") {
    BadDns server("tcp-length-lie");
    SECTION("over TCP it is not ok, and ends by the deadline") {
        const Run run = probe(server.port(), Transport::tcp);
        INFO(text(run.results) << server.log());
        REQUIRE(run.results.size() == 1);
        const ProbeResult& r = run.results[0];
        CHECK(r.outcome != Outcome::ok);
        CHECK(run.elapsed <= kTimeout + kSlack);
        // prober/reply_forensics.hpp: a length prefix larger than the data is named malformed.
        CHECK(name(r.outcome) == name(Outcome::malformed));
        CHECK_THAT(r.detail, Catch::Contains("incomplete"));
    }
    SECTION("over UDP the same server answers correctly") {
        const Run run = probe(server.port(), Transport::udp);
        INFO(text(run.results) << server.log());
        REQUIRE(run.results.size() == 1);
        CHECK(name(run.results[0].outcome) == name(Outcome::ok));
    }
}

TEST_CASE("baddns tc-always: truncated over UDP then ok over TCP", "[baddns][engine]") {
    BadDns server("tc-always");
    SECTION("a UDP probe gives two results") {
        const Run run = probe(server.port(), Transport::udp);
        INFO(text(run.results) << server.log());
        REQUIRE(run.results.size() == 2);
        const ProbeResult& udp = run.results[0];
        const ProbeResult& tcp = run.results[1];
        CHECK(name(udp.outcome) == name(Outcome::truncated));
        CHECK(udp.tc);
        CHECK(udp.target.transport == Transport::udp);
        CHECK_FALSE(udp.retried_from_tc);
        CHECK(name(tcp.outcome) == name(Outcome::ok));
        CHECK(tcp.target.transport == Transport::tcp);
        CHECK(tcp.retried_from_tc);
        REQUIRE(tcp.soa.has_value());
        CHECK(tcp.soa->serial == 2026112201u);
        for (const auto& r : run.results) CHECK(r.rtt <= kTimeout + kSlack);
        CHECK(server.queries("udp") == 1);
        CHECK(server.queries("tcp") == 1);
    }
    SECTION("without the retry, only the truncated result") {
        ProbeEngine engine;
        ProbeRequest req = request_to(server.port(), Transport::udp);
        req.retry_truncated_over_tcp = false;
        std::vector<ProbeResult> results;
        {
            Watchdog watchdog("a UDP probe without TC retry", kWatchdog);
            results = engine.run_batch({req});
        }
        INFO(text(results));
        REQUIRE(results.size() == 1);
        CHECK(name(results[0].outcome) == name(Outcome::truncated));
    }
    SECTION("a TCP probe is answered at once") {
        const Run run = probe(server.port(), Transport::tcp);
        INFO(text(run.results));
        REQUIRE(run.results.size() == 1);
        CHECK(name(run.results[0].outcome) == name(Outcome::ok));
        CHECK_FALSE(run.results[0].retried_from_tc);
    }
}

TEST_CASE("baddns edns-intolerant: FORMERR without OPT for EDNS and ok without EDNS",
          "[baddns][engine]") {
    BadDns server("edns-intolerant");
    for (Transport t : {Transport::udp, Transport::tcp}) {
        DYNAMIC_SECTION("over " << to_string(t)) {
            const Run with_edns = probe(server.port(), t, true);
            const Run without = probe(server.port(), t, false);
            INFO(text(with_edns.results) << text(without.results));
            REQUIRE(with_edns.results.size() == 1);
            REQUIRE(without.results.size() == 1);
            CHECK(name(with_edns.results[0].outcome) == name(Outcome::formerr));
            CHECK(with_edns.results[0].rcode == 1);
            CHECK_FALSE(with_edns.results[0].has_opt);
            CHECK(name(without.results[0].outcome) == name(Outcome::ok));
            CHECK_FALSE(without.results[0].has_opt);
        }
    }
}

TEST_CASE("baddns: 200 probes across every mode at once in one engine without a stall",
          "[baddns][engine]") {
    struct Mode {
        std::string name;
        Outcome udp;
        Outcome tcp;
    };
    const std::vector<Mode> modes = {
        {"ok", Outcome::ok, Outcome::ok},
        {"wrong-id", Outcome::id_mismatch, Outcome::id_mismatch},
        {"wrong-question", Outcome::question_mismatch, Outcome::question_mismatch},
        {"garbage", Outcome::malformed, Outcome::malformed},
        {"short", Outcome::malformed, Outcome::malformed},
        {"truncated-packet", Outcome::malformed, Outcome::malformed},
        {"tcp-length-lie", Outcome::ok, Outcome::malformed},
        {"tc-always", Outcome::truncated, Outcome::ok},
        {"no-aa", Outcome::not_authoritative, Outcome::not_authoritative},
        {"refused", Outcome::refused, Outcome::refused},
        {"servfail", Outcome::servfail, Outcome::servfail},
        {"formerr", Outcome::formerr, Outcome::formerr},
        {"nxdomain", Outcome::nxdomain, Outcome::nxdomain},
        {"silent", Outcome::timeout, Outcome::timeout},
        {"edns-intolerant", Outcome::formerr, Outcome::formerr},
    };
    std::vector<std::unique_ptr<BadDns>> servers;
    for (const auto& m : modes) servers.push_back(std::make_unique<BadDns>(m.name));

    constexpr size_t kProbes = 200;
    ProbeEngine engine;
    std::vector<std::vector<ProbeResult>> by_probe(kProbes);
    const auto start = Clock::now();
    for (size_t i = 0; i < kProbes; ++i) {
        const size_t m = i % modes.size();
        const Transport t = (i / modes.size()) % 2 == 0 ? Transport::udp : Transport::tcp;
        engine.submit(request_to(servers[m]->port(), t),
                      [&by_probe, i](const ProbeResult& r) { by_probe[i].push_back(r); });
    }
    {
        Watchdog watchdog("200 concurrent probes", kWatchdog);
        engine.run_until_idle();
    }
    const auto elapsed = Clock::now() - start;

    size_t total = 0;
    std::map<std::string, size_t> histogram;
    for (size_t i = 0; i < kProbes; ++i) {
        const Mode& mode = modes[i % modes.size()];
        INFO("probe " << i << " to " << mode.name << ":\n" << text(by_probe[i]));
        REQUIRE_FALSE(by_probe[i].empty());  // every probe ends
        total += by_probe[i].size();
        const ProbeResult& first = by_probe[i].front();
        const Outcome expected = first.target.transport == Transport::udp ? mode.udp : mode.tcp;
        ++histogram[mode.name + " " + std::string(to_string(first.target.transport)) + " " +
                    std::string(name(first.outcome))];
        if (mode.name == "wrong-id" && first.outcome == Outcome::ok) {
            // Not the engine's fault: ID+1 can be the ID c-ares gave another outstanding query
            // with the same question, and then that reply is indistinguishable from a good one.
            continue;
        }
        CHECK(name(first.outcome) == name(expected));
        for (const auto& r : by_probe[i]) CHECK(r.rtt <= kTimeout + kSlack);
        if (mode.name == "tc-always" && first.target.transport == Transport::udp) {
            REQUIRE(by_probe[i].size() == 2);
            CHECK(name(by_probe[i][1].outcome) == name(Outcome::ok));
            CHECK(by_probe[i][1].retried_from_tc);
        } else {
            CHECK(by_probe[i].size() == 1);
        }
    }
    std::string summary;
    for (const auto& [key, n] : histogram) summary += key + ": " + std::to_string(n) + "\n";
    INFO(summary);
    CHECK(total >= kProbes);
    CHECK(engine.outstanding() == 0);
    CHECK(engine.stats().completed == engine.stats().sent);
    // Everything runs concurrently: one timeout, plus one more for a TC retry, plus slack.
    CHECK(elapsed <= 2 * kTimeout + 2 * kSlack);
}

}  // namespace nswatch
