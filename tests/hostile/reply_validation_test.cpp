// Replies that answer something else must never count for the zone: another zone's SOA under our
// question (wrong_owner), a reply to another question over TCP followed by a closed connection
// (question_mismatch, not "could not contact"). Checked in the engine and in what `nswatch check`
// shows, against our own misbehaving server (tests/tools/baddns.cpp) on loopback.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../tools/baddns_process.hpp"
#include "../unit/temp_dir.hpp"
#include "dns/probe_result.hpp"
#include "prober/engine.hpp"

namespace nswatch {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kTimeout{400};
constexpr uint32_t kGoodSerial = 2026112201;  // tests/tools/baddns/baddns.hpp kSerial

ProbeRequest soa_probe(uint16_t port, Transport transport) {
    ProbeRequest r;
    r.target.zone = "shop.test";
    r.target.nameserver = "ns1.shop.test";
    r.target.address = "127.0.0.1";
    r.target.port = port;
    r.target.transport = transport;
    r.query.name = "shop.test";
    r.query.type = 6;
    r.timeout = kTimeout;
    return r;
}

ProbeResult probe_once(const ProbeRequest& request) {
    ProbeEngine engine;
    std::vector<ProbeResult> results;
    {
        test::Watchdog watchdog("a probe to port " + std::to_string(request.target.port),
                                std::chrono::seconds(10));
        results = engine.run_batch({request});
    }
    REQUIRE(results.size() == 1);
    return results[0];
}

/// Runs `nswatch ARGS` (bounded by timeout(1)); returns stdout and the exit code.
std::pair<std::string, int> run_nswatch(const std::string& args) {
    const std::string command = "timeout 60 " + std::string(NSWATCH_BIN) + " " + args;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buf[4096];
    size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    const int status = pclose(pipe);
    return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

}  // namespace

TEST_CASE("engine: another zone's SOA under our question is wrong_owner, never a serial",
          "[hostile][replies]") {
    test::BadDns server("wrong-owner");
    for (Transport t : {Transport::udp, Transport::tcp}) {
        DYNAMIC_SECTION("over " << to_string(t)) {
            const ProbeResult r = probe_once(soa_probe(server.port(), t));
            INFO(describe(r) << "\n" << server.log());
            CHECK(to_string(r.outcome) == "wrong_owner");
            CHECK_FALSE(r.soa.has_value());  // other.test's serial must reach nothing
            CHECK(r.rcode == 0);
            CHECK_THAT(r.detail, Catch::Contains("other.test.") &&
                                     Catch::Contains("not the zone apex shop.test.") &&
                                     Catch::Contains(std::to_string(kGoodSerial + 100)));
            CHECK(r.rtt < kTimeout);  // judged on arrival, not after a timeout
        }
    }
}

TEST_CASE(
    "engine: a TCP reply to another question, then a closed connection, is "
    "question_mismatch",
    "[hostile][replies]") {
    test::BadDns server("tcp-other-question");
    for (Transport t : {Transport::udp, Transport::tcp}) {
        DYNAMIC_SECTION("over " << to_string(t)) {
            const ProbeResult r = probe_once(soa_probe(server.port(), t));
            INFO(describe(r) << "\n" << server.log());
            CHECK(to_string(r.outcome) == "question_mismatch");
            CHECK_FALSE(r.soa.has_value());
            CHECK_THAT(r.detail, Catch::Contains("reply is for other.test."));
            CHECK(r.reply_size > 12);
        }
    }
}

TEST_CASE("engine: a good server next to the liars still answers ok with its serial",
          "[hostile][replies]") {
    test::BadDns good("ok");
    test::BadDns liar("wrong-owner");
    ProbeEngine engine;
    std::vector<ProbeResult> results;
    {
        test::Watchdog watchdog("four probes", std::chrono::seconds(10));
        results = engine.run_batch(
            {soa_probe(good.port(), Transport::udp), soa_probe(good.port(), Transport::tcp),
             soa_probe(liar.port(), Transport::udp), soa_probe(liar.port(), Transport::tcp)});
    }
    REQUIRE(results.size() == 4);
    for (const auto& r : results) {
        INFO(describe(r));
        if (r.target.port == good.port()) {
            CHECK(to_string(r.outcome) == "ok");
            REQUIRE(r.soa.has_value());
            CHECK(r.soa->serial == kGoodSerial);
        } else {
            CHECK(to_string(r.outcome) == "wrong_owner");
            CHECK_FALSE(r.soa.has_value());
        }
    }
}

TEST_CASE("nswatch check: the liars' outcomes by name, and no lag for the good provider",
          "[hostile][replies]") {
    test::BadDns good("ok");
    test::BadDns owner("wrong-owner");
    test::BadDns other("tcp-other-question");
    test::TempDir dir("nswatch-hostile-replies");
    const std::string config = dir.file("check.yml");
    std::ofstream(config) << "probe:\n  timeout: 500ms\n  ipv6: false\n"
                          << "zones:\n  - name: shop.test\n    nameservers:\n"
                          << "      - {name: ns1.alpha.test, addresses: [127.0.0.1], provider: "
                             "alpha, port: "
                          << good.port() << "}\n"
                          << "      - {name: ns1.beta.test, addresses: [127.0.0.1], provider: "
                             "beta, port: "
                          << owner.port() << "}\n"
                          << "      - {name: ns1.gamma.test, addresses: [127.0.0.1], provider: "
                             "gamma, port: "
                          << other.port() << "}\n";

    SECTION("the table") {
        const auto [out, code] = run_nswatch("check -c " + config + " --colour never");
        INFO(out);
        // CRITICAL: beta and gamma answer no probe of the zone (their replies are someone else's).
        CHECK(code == 2);
        CHECK_THAT(out, Catch::Contains("ns1.beta.test [127.0.0.1] udp: wrong_owner (SOA serial "
                                        "2026112301 is owned by other.test., not the zone apex "
                                        "shop.test.)"));
        CHECK_THAT(out, Catch::Contains("ns1.beta.test [127.0.0.1] tcp: wrong_owner"));
        CHECK_THAT(out, Catch::Contains("ns1.gamma.test [127.0.0.1] udp: question_mismatch (reply "
                                        "is for other.test."));
        CHECK_THAT(out, Catch::Contains("ns1.gamma.test [127.0.0.1] tcp: question_mismatch (reply "
                                        "is for other.test."));
        CHECK_THAT(out, Catch::Contains("shop.test: serial 2026112201"));
        CHECK_THAT(out, !Catch::Contains("behind"));
        CHECK_THAT(out, !Catch::Contains("network_error"));
        CHECK_THAT(out, !Catch::Contains("Could not contact"));
    }
    SECTION("the JSON") {
        const auto [out, code] = run_nswatch("check -c " + config + " --json");
        INFO(out);
        CHECK(code == 2);
        const auto j = nlohmann::json::parse(out, nullptr, false);
        REQUIRE_FALSE(j.is_discarded());
        size_t seen = 0;
        for (const auto& zone : j["zones"]) {
            for (const auto& p : zone["probes"]) {
                INFO(p.dump());
                ++seen;
                const std::string ns = p["nameserver"];
                if (ns == "ns1.alpha.test") {
                    CHECK(p["outcome"] == "ok");
                    CHECK(p["soa"]["serial"] == kGoodSerial);
                    CHECK(p["serial_state"] == "current");
                    CHECK(p["behind_by"] == 0);
                } else if (ns == "ns1.beta.test") {
                    CHECK(p["outcome"] == "wrong_owner");
                    CHECK(p["soa"].is_null());
                } else {
                    CHECK(p["outcome"] == "question_mismatch");
                }
            }
        }
        CHECK(seen == 6);  // three servers, UDP and TCP
    }
}

}  // namespace nswatch
