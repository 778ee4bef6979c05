// delegation/discovery: "the parent said there is no such delegation" told apart from "could not
// ask", against our own server (tests/tools/baddns) standing in for the root, and the pure
// judgement of a delegation's servers (missing_from_servers).
#include "delegation/discovery.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

using namespace nswatch;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

/// nswatch_baddns serving `zone` in `mode` on 127.0.0.1 and a free port, stopped by pid. Its stdin
/// is a pipe we hold: if this process dies, the server sees it close and exits by itself.
class BadDnsRoot {
  public:
    BadDnsRoot(const std::string& mode, const std::string& zone) {
        int to_child[2], from_child[2];
        if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe2 failed");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        std::vector<std::string> args = {NSWATCH_BADDNS_BIN, "--listen", "127.0.0.1", "--port", "0",
                                         "--mode",           mode,       "--zone",    zone};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const int rc =
            posix_spawn(&pid_, NSWATCH_BADDNS_BIN, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        close(to_child[0]);
        close(from_child[1]);
        stdin_fd_ = to_child[1];
        const int out = from_child[0];
        if (rc != 0) {
            pid_ = -1;
            close(out);
            throw std::runtime_error("cannot start nswatch_baddns");
        }
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (line.find('\n') == std::string::npos &&
               std::chrono::steady_clock::now() < deadline) {
            pollfd p{out, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[64];
            const ssize_t n = read(out, buf, sizeof buf);
            if (n <= 0) break;
            line.append(buf, static_cast<size_t>(n));
        }
        close(out);
        unsigned port = 0;
        if (std::sscanf(line.c_str(), "READY %u", &port) != 1 || port == 0 || port > 65535) {
            stop();
            throw std::runtime_error("nswatch_baddns did not print READY");
        }
        port_ = static_cast<uint16_t>(port);
    }
    ~BadDnsRoot() { stop(); }
    BadDnsRoot(const BadDnsRoot&) = delete;
    BadDnsRoot& operator=(const BadDnsRoot&) = delete;

    uint16_t port() const { return port_; }

  private:
    void stop() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
        if (stdin_fd_ >= 0) close(stdin_fd_);
        stdin_fd_ = -1;
    }
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    uint16_t port_ = 0;
};

/// Discover `zone` with the server as the only root hint.
Delegation discover_from(const BadDnsRoot& root, const std::string& zone) {
    ProbeEngine engine;
    DiscoveryOptions opts;
    opts.resolver.timeout = 300ms;
    opts.resolver.ipv6 = false;
    opts.resolver.port = root.port();
    opts.ns_query_timeout = 300ms;
    return discover_delegation(engine, {{"a.root.test", {"127.0.0.1"}}}, zone, ProviderClassifier{},
                               opts);
}

ProbeResult ns_answer(const std::string& ns, const std::string& address, Outcome outcome) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.nameserver = ns;
    r.target.address = address;
    r.outcome = outcome;
    return r;
}

NameserverInfo nameserver(const std::string& name, std::vector<std::string> addresses,
                          std::string error = "") {
    NameserverInfo n;
    n.name = name;
    n.addresses = std::move(addresses);
    n.error = std::move(error);
    n.in_parent = true;
    return n;
}

Delegation delegated(std::vector<NameserverInfo> nameservers) {
    Delegation d;
    d.zone = "shop.test";
    d.parent_zone = "test";
    d.parent_server = "127.53.0.2";
    d.nameservers = std::move(nameservers);
    for (const auto& ns : d.nameservers) d.parent_ns.push_back(ns.name);
    return d;
}

}  // namespace

TEST_CASE("discovery: the parent's NXDOMAIN is a missing delegation naming the server",
          "[discovery][baddns]") {
    BadDnsRoot root("ok", "test");  // authoritative for test.: shop.test does not exist there
    const Delegation d = discover_from(root, "shop.test");
    CHECK_FALSE(d.ok());
    CHECK(d.missing.reason == MissingReason::parent_nxdomain);
    CHECK_THAT(d.missing.detail, Contains("127.0.0.1"));
    CHECK_THAT(d.missing.detail, Contains("NXDOMAIN"));
    CHECK_THAT(d.missing.detail, Contains("shop.test does not exist"));
    CHECK(d.parent_server == "127.0.0.1");
    CHECK(d.nameservers.empty());
}

TEST_CASE("discovery: the parent's NODATA for the zone's NS is a missing delegation",
          "[discovery][baddns]") {
    BadDnsRoot root("ok", "test");  // ns1.test has an A record and no NS: not a zone cut
    const Delegation d = discover_from(root, "ns1.test");
    CHECK_FALSE(d.ok());
    CHECK(d.missing.reason == MissingReason::parent_nodata);
    CHECK_THAT(d.missing.detail, Contains("127.0.0.1"));
    CHECK_THAT(d.missing.detail, Contains("NODATA"));
}

TEST_CASE("discovery: a parent that cannot be asked is not a missing delegation",
          "[discovery][baddns]") {
    for (const std::string mode : {"silent", "refused", "servfail", "garbage"}) {
        INFO(mode);
        BadDnsRoot root(mode, "test");
        const Delegation d = discover_from(root, "shop.test");
        CHECK_FALSE(d.ok());
        CHECK_FALSE(d.missing.missing());
        CHECK_THAT(d.error, Contains("no server of zone '.' answered"));
    }
}

TEST_CASE("missing_from_servers: no delegated NS name with an address",
          "[discovery][delegation_missing]") {
    Delegation d = delegated({nameserver("ns1.gone.test", {}, "ns1.gone.test does not exist"),
                              nameserver("ns2.gone.test", {}, "ns2.gone.test does not exist")});
    const DelegationMissing m = missing_from_servers(d);
    CHECK(m.reason == MissingReason::ns_without_address);
    CHECK_THAT(m.detail, Contains("127.53.0.2"));
    CHECK_THAT(m.detail, Contains("ns1.gone.test (ns1.gone.test does not exist)"));
    CHECK_THAT(m.detail, Contains("ns2.gone.test"));

    // One name with an address is a degraded delegation (a warning elsewhere), not a missing one.
    d.nameservers[1].addresses = {"192.0.2.2"};
    d.child_ns_answers = {ns_answer("ns2.gone.test", "192.0.2.2", Outcome::ok)};
    CHECK_FALSE(missing_from_servers(d).missing());
}

TEST_CASE("missing_from_servers: every delegated server lame for the zone",
          "[discovery][delegation_missing]") {
    Delegation d = delegated({nameserver("ns1.a.test", {"192.0.2.1", "192.0.2.2"}),
                              nameserver("ns1.b.test", {"192.0.2.3"})});
    d.child_ns_answers = {ns_answer("ns1.a.test", "192.0.2.1", Outcome::refused),
                          ns_answer("ns1.a.test", "192.0.2.2", Outcome::not_authoritative),
                          ns_answer("ns1.b.test", "192.0.2.3", Outcome::nxdomain)};
    const DelegationMissing m = missing_from_servers(d);
    CHECK(m.reason == MissingReason::servers_lame);
    CHECK_THAT(m.detail, Contains("ns1.a.test (192.0.2.1) refused"));
    CHECK_THAT(m.detail, Contains("ns1.a.test (192.0.2.2) not_authoritative"));
    CHECK_THAT(m.detail, Contains("ns1.b.test (192.0.2.3) nxdomain"));

    SECTION("one that times out could not be asked: not every server is lame") {
        d.child_ns_answers.push_back(ns_answer("ns1.b.test", "192.0.2.4", Outcome::timeout));
        CHECK_FALSE(missing_from_servers(d).missing());
    }
    SECTION("one that answers authoritatively serves the zone") {
        d.child_ns_answers.push_back(ns_answer("ns1.b.test", "192.0.2.4", Outcome::ok));
        CHECK_FALSE(missing_from_servers(d).missing());
    }
    SECTION("nameservers from the config are not judged by discovery") {
        d.from_config = true;
        CHECK_FALSE(missing_from_servers(d).missing());
    }
}
