// Tests for prober/engine.cpp against tests/tools/baddns.cpp, our own misbehaving DNS server: each
// kind of broken reply must end as its own Outcome, quickly, without a crash or a stalled loop.
//
// Every server runs on a free loopback port for one test and is stopped by pid when it ends
// (tests/tools/baddns_process.hpp).
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../tools/baddns_process.hpp"
#include "dns/probe_result.hpp"
#include "prober/engine.hpp"

namespace nswatch {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Short, so that the timeout cases keep the suite fast, yet far above loopback RTTs.
constexpr milliseconds kTimeout{400};
// "Ends within timeout + 500 ms": how late a probe may end before we call it a hang.
constexpr milliseconds kSlack{500};

using test::BadDns;
using test::Watchdog;

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
    {"wrong-owner", Transport::udp, Outcome::wrong_owner},
    {"wrong-owner", Transport::tcp, Outcome::wrong_owner},
    {"tcp-other-question", Transport::udp, Outcome::question_mismatch},
    {"tcp-other-question", Transport::tcp, Outcome::question_mismatch},
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
                c.expected == Outcome::malformed || c.expected == Outcome::wrong_owner) {
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
        {"wrong-owner", Outcome::wrong_owner, Outcome::wrong_owner},
        {"tcp-other-question", Outcome::question_mismatch, Outcome::question_mismatch},
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

TEST_CASE("baddns refused-ede: the Extended DNS Error is kept, its text made safe",
          "[baddns][engine]") {
    BadDns server("refused-ede");
    for (Transport t : {Transport::udp, Transport::tcp}) {
        for (const bool edns : {true, false}) {
            DYNAMIC_SECTION("over " << to_string(t) << (edns ? " with EDNS" : " without EDNS")) {
                const Run run = probe(server.port(), t, edns);
                INFO(text(run.results) << server.log());
                REQUIRE(run.results.size() == 1);
                const ProbeResult& r = run.results[0];
                CHECK(name(r.outcome) == name(Outcome::refused));
                REQUIRE(r.extended_errors.size() == 1);
                CHECK(r.extended_errors[0].code == 20);
                CHECK(r.extended_errors[0].text == "not served here?");
                CHECK_THAT(describe(r),
                           Catch::Contains("[EDE 20 (Not Authoritative): not served here?]"));
            }
        }
    }
    // A reply without the option has none.
    BadDns plain("refused");
    const Run run = probe(plain.port(), Transport::udp);
    REQUIRE(run.results.size() == 1);
    CHECK(run.results[0].extended_errors.empty());
}

}  // namespace nswatch
