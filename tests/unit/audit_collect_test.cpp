// The audit's evidence collector against our misbehaving server (tests/tools/baddns.cpp): real
// sockets on loopback, no lab. One server answers normally, the other rejects EDNS with FORMERR.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "audit/collect.hpp"
#include "audit/rules.hpp"

extern char** environ;

using namespace nswatch;

namespace {

/// nswatch_baddns in one mode on 127.0.0.1 and a free port; stopped by pid (and it exits by itself
/// when our end of its stdin closes).
class BadDns {
  public:
    BadDns(const std::string& mode, const std::string& zone) {
        int to_child[2], from_child[2];
        REQUIRE(pipe2(to_child, O_CLOEXEC) == 0);
        REQUIRE(pipe2(from_child, O_CLOEXEC) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        std::string bin = NSWATCH_BADDNS_BIN;
        std::vector<std::string> args = {bin,      "--listen", "127.0.0.1", "--port", "0",
                                         "--mode", mode,       "--zone",    zone};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const int rc = posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        close(to_child[0]);
        close(from_child[1]);
        stdin_fd_ = to_child[1];
        REQUIRE(rc == 0);
        std::string line;
        char c;
        while (read(from_child[0], &c, 1) == 1 && c != '\n') line += c;
        close(from_child[0]);
        REQUIRE(line.rfind("READY ", 0) == 0);
        port_ = static_cast<uint16_t>(std::stoi(line.substr(6)));
    }
    ~BadDns() {
        close(stdin_fd_);
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
    BadDns(const BadDns&) = delete;
    BadDns& operator=(const BadDns&) = delete;
    uint16_t port() const { return port_; }

  private:
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    uint16_t port_ = 0;
};

// edns.test served by ns1 (provider "good") and ns2 (provider "bad"), both on 127.0.0.1.
Config two_server_config(const BadDns& good, const BadDns& bad) {
    Config config;
    config.probe.timeout = std::chrono::milliseconds(500);
    ZoneConfig zone;
    zone.name = "edns.test";
    zone.nameservers = {StaticNameserver{"ns1.edns.test", {"127.0.0.1"}, "good", good.port()},
                        StaticNameserver{"ns2.edns.test", {"127.0.0.1"}, "bad", bad.port()}};
    config.zones.push_back(zone);
    return config;
}

}  // namespace

TEST_CASE("audit collect: an EDNS-intolerant server is SRV-EDNS, with its address as evidence",
          "[audit][collect]") {
    BadDns good("ok", "edns.test");
    BadDns bad("edns-intolerant", "edns.test");
    const Config config = two_server_config(good, bad);
    CollectOptions options;
    options.axfr = false;
    size_t last_done = 0, last_total = 0;
    options.progress = [&](size_t done, size_t total) {
        CHECK(done > last_done);
        last_done = done;
        last_total = total;
    };
    ProbeEngine engine;
    const auto evidence = collect_evidence(engine, config, {"edns.test"}, {}, options);
    REQUIRE(evidence.size() == 1);
    const auto& e = evidence[0];
    CHECK(e.from_config);
    REQUIRE(e.servers.size() == 2);
    CHECK(last_done == last_total);

    const auto& ok = e.servers[0].provider == "good" ? e.servers[0] : e.servers[1];
    const auto& intolerant = e.servers[0].provider == "bad" ? e.servers[0] : e.servers[1];
    REQUIRE(ok.soa_udp);
    CHECK(ok.soa_udp->outcome == Outcome::ok);
    REQUIRE(ok.soa_tcp);
    CHECK(ok.soa_tcp->outcome == Outcome::ok);
    CHECK(ok.soa_tcp->target.transport == Transport::tcp);
    REQUIRE(ok.recursion);
    CHECK(ok.recursion->query.recursion_desired);
    CHECK_FALSE(ok.watched.empty());
    // SRV-AAAA: AAAA of the apex, answered NODATA with AA by the good server.
    REQUIRE(ok.aaaa);
    CHECK(ok.aaaa->query.type == 28);
    CHECK(ok.aaaa->query.name == "edns.test");
    CHECK(ok.aaaa->outcome == Outcome::ok);
    // SRV-UPWARD-REFERRAL: the root's NS with RD=0 (baddns answers NXDOMAIN outside its zone).
    REQUIRE(ok.upward);
    CHECK(ok.upward->query.name == ".");
    CHECK(ok.upward->query.type == 2);
    CHECK_FALSE(ok.upward->query.recursion_desired);
    CHECK(ok.upward->answered());
    // SRV-EDNS's conformance probes: BADVERS with OPT version 0 for version 1, the unknown option
    // ignored, DO echoed.
    REQUIRE(ok.edns_version1);
    CHECK(ok.edns_version1->query.edns_version == 1);
    CHECK(ok.edns_version1->rcode == 16);
    CHECK(ok.edns_version1->has_opt);
    CHECK(ok.edns_version1->edns_version == 0);
    REQUIRE(ok.edns_unknown_option);
    REQUIRE(ok.edns_unknown_option->query.edns_options.size() == 1);
    CHECK(ok.edns_unknown_option->outcome == Outcome::ok);
    CHECK(ok.edns_unknown_option->edns_option_codes == std::vector<uint16_t>{3});  // NSID only
    REQUIRE(ok.edns_do);
    CHECK(ok.edns_do->query.dnssec_ok);
    CHECK(ok.edns_do->outcome == Outcome::ok);
    CHECK(ok.edns_do->edns_do);
    // The NS list came from the config: there is no parent referral to size.
    CHECK_FALSE(e.referral);
    REQUIRE(intolerant.soa_plain);
    CHECK(intolerant.soa_plain->outcome == Outcome::ok);
    REQUIRE(intolerant.soa_udp);
    CHECK(intolerant.soa_udp->outcome == Outcome::formerr);

    const auto report = audit_zone(e, AuditThresholds{}, std::chrono::system_clock::now());
    const AuditFinding* edns = nullptr;
    for (const auto& f : report.findings) {
        if (f.id == "SRV-EDNS") edns = &f;
        CHECK(f.id != "SRV-TCP");  // the FORMERR over TCP is the same EDNS fault
        CHECK(f.id != "SRV-UDP");
        CHECK(f.id != "SRV-AAAA");  // the AAAA probe carries EDNS too: still SRV-EDNS's fault
        CHECK(f.id != "SRV-UPWARD-REFERRAL");
    }
    REQUIRE(edns != nullptr);
    CHECK(edns->severity == AuditSeverity::error);
    REQUIRE(edns->evidence.size() == 1);
    CHECK_THAT(edns->evidence[0],
               Catch::Contains("ns2.edns.test (127.0.0.1): SOA without EDNS answered, with EDNS "
                               "formerr"));
}

TEST_CASE("audit collect: a server that answers EDNS version 1 with NOERROR is SRV-EDNS WARNING",
          "[audit][collect]") {
    BadDns good("ok", "edns.test");
    BadDns bad("edns-version-ignored", "edns.test");
    const Config config = two_server_config(good, bad);
    CollectOptions options;
    options.axfr = false;
    ProbeEngine engine;
    const auto evidence = collect_evidence(engine, config, {"edns.test"}, {}, options);
    REQUIRE(evidence.size() == 1);

    const auto report =
        audit_zone(evidence[0], AuditThresholds{}, std::chrono::system_clock::now());
    const AuditFinding* edns = nullptr;
    for (const auto& f : report.findings) {
        if (f.id == "SRV-EDNS") edns = &f;
    }
    REQUIRE(edns != nullptr);
    CHECK(edns->severity == AuditSeverity::warning);
    REQUIRE(edns->evidence.size() == 1);  // the good server is not in it
    CHECK(edns->evidence[0] ==
          "ns2.edns.test (127.0.0.1): SOA with EDNS version 1 → NOERROR, OPT version 0; expected "
          "BADVERS with OPT version 0");
}
