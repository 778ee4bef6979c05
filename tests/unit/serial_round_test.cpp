// Tests for monitor/serial_round.cpp: one round of SOA probes judged with RFC 1982 arithmetic.
#include "monitor/serial_round.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace Catch {
template <>
struct StringMaker<nswatch::SerialState> {
    static std::string convert(nswatch::SerialState s) {
        return std::string(nswatch::to_string(s));
    }
};
template <>
struct StringMaker<nswatch::SerialReference> {
    static std::string convert(nswatch::SerialReference r) {
        return std::string(nswatch::to_string(r));
    }
};
}  // namespace Catch

using nswatch::evaluate_serial_round;
using nswatch::lagging_providers;
using nswatch::Outcome;
using nswatch::ProbeResult;
using nswatch::SerialReference;
using nswatch::SerialRound;
using nswatch::SerialState;
using nswatch::Transport;

namespace {

constexpr uint32_t kHalf = 0x80000000u;  // 2^31

/// An answered SOA probe: outcome ok, AA, rcode NOERROR, SOA with `serial`.
ProbeResult answer(const std::string& provider, const std::string& ns, const std::string& address,
                   uint32_t serial, Transport transport = Transport::udp) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.nameserver = ns;
    r.target.address = address;
    r.target.provider = provider;
    r.target.transport = transport;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.aa = true;
    nswatch::SoaFields soa;
    soa.mname = "ns1.alpha-dns.test.";
    soa.rname = "hostmaster.shop.test.";
    soa.serial = serial;
    soa.refresh = 14400;
    soa.retry = 3600;
    soa.expire = 1209600;
    soa.minimum = 300;
    soa.ttl = 3600;
    r.soa = soa;
    return r;
}

/// A probe that ended without an SOA answer.
ProbeResult failed(const std::string& provider, const std::string& ns, const std::string& address,
                   Outcome outcome = Outcome::timeout) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.nameserver = ns;
    r.target.address = address;
    r.target.provider = provider;
    r.outcome = outcome;
    r.rcode = outcome == Outcome::timeout ? -1 : 2;
    return r;
}

const nswatch::ProviderSerialSummary& summary(const SerialRound& round, const std::string& name) {
    for (const auto& p : round.providers) {
        if (p.provider == name) {
            return p;
        }
    }
    FAIL("no provider summary for " << name);
    return round.providers.front();  // not reached
}

}  // namespace

TEST_CASE("serial round: every address current", "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 2024060101),
        answer("alpha", "ns2.alpha-dns.test", "192.0.2.2", 2024060101),
        answer("beta", "ns1.beta-dns.test", "198.51.100.1", 2024060101),
    };
    const SerialRound round = evaluate_serial_round(results);
    CHECK(round.newest == 2024060101u);
    CHECK(round.reference_kind == SerialReference::newest);
    CHECK(round.reference == 2024060101u);
    REQUIRE(round.addresses.size() == 3);
    for (const auto& a : round.addresses) {
        CHECK(a.state == SerialState::current);
        CHECK(a.behind_by == 0);
        CHECK(a.serial == 2024060101u);
    }
    CHECK(lagging_providers(round).empty());
    REQUIRE(round.providers.size() == 2);
    CHECK(round.providers[0].provider == "alpha");
    CHECK(round.providers[0].current == 2);
    CHECK(round.providers[1].provider == "beta");
}

TEST_CASE("serial round: a secondary behind the newest serial is lag", "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 2024060103),
        answer("beta", "ns1.beta-dns.test", "198.51.100.1", 2024060101),
        answer("beta", "ns2.beta-dns.test", "198.51.100.2", 2024060103),
    };
    const SerialRound round = evaluate_serial_round(results);
    CHECK(round.newest == 2024060103u);
    REQUIRE(round.addresses.size() == 3);
    CHECK(round.addresses[0].state == SerialState::current);
    CHECK(round.addresses[1].state == SerialState::behind);
    CHECK(round.addresses[1].behind_by == 2);
    CHECK(round.addresses[1].target.address == "198.51.100.1");  // input order kept
    CHECK(round.addresses[2].state == SerialState::current);
    CHECK(lagging_providers(round) == std::vector<std::string>{"beta"});

    const auto& beta = summary(round, "beta");
    CHECK(beta.results == 2);
    CHECK(beta.current == 1);
    CHECK(beta.behind == 1);
    CHECK(beta.no_answer == 0);
    CHECK(beta.min_serial == 2024060101u);
    CHECK(beta.max_behind_by == 2);
}

TEST_CASE("serial round: lag across the wrap-around is small", "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 2),
        answer("beta", "ns1.beta-dns.test", "198.51.100.1", 0xFFFFFFFEu),
    };
    const SerialRound round = evaluate_serial_round(results);
    CHECK(round.newest == 2u);
    CHECK(round.addresses[1].state == SerialState::behind);
    CHECK(round.addresses[1].behind_by == 4);
    CHECK(summary(round, "beta").min_serial == 0xFFFFFFFEu);
}

TEST_CASE("serial round: timeouts and errors are no_answer, never behind", "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 2024060105),
        failed("beta", "ns1.beta-dns.test", "198.51.100.1", Outcome::timeout),
        failed("beta", "ns2.beta-dns.test", "198.51.100.2", Outcome::servfail),
        failed("gamma", "ns1.gamma-dns.test", "203.0.113.1", Outcome::refused),
    };
    const SerialRound round = evaluate_serial_round(results);
    CHECK(round.newest == 2024060105u);
    CHECK(round.addresses[1].state == SerialState::no_answer);
    CHECK_FALSE(round.addresses[1].serial.has_value());
    CHECK(round.addresses[1].behind_by == 0);
    CHECK(round.addresses[2].state == SerialState::no_answer);
    CHECK(round.addresses[3].state == SerialState::no_answer);
    CHECK(lagging_providers(round).empty());

    const auto& beta = summary(round, "beta");
    CHECK(beta.results == 2);
    CHECK(beta.no_answer == 2);
    CHECK(beta.behind == 0);
    CHECK_FALSE(beta.min_serial.has_value());
}

TEST_CASE("serial round: an SOA without outcome ok, or ok without SOA, is no_answer",
          "[serial_round]") {
    ProbeResult not_auth = answer("beta", "ns1.beta-dns.test", "198.51.100.1", 1);
    not_auth.outcome = Outcome::not_authoritative;  // lame: its stale SOA is not evidence of lag
    ProbeResult empty = answer("beta", "ns2.beta-dns.test", "198.51.100.2", 1);
    empty.soa.reset();
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 100), not_auth, empty};
    const SerialRound round = evaluate_serial_round(results);
    CHECK(round.newest == 100u);
    CHECK(round.addresses[1].state == SerialState::no_answer);
    CHECK(round.addresses[2].state == SerialState::no_answer);
    CHECK(lagging_providers(round).empty());
}

TEST_CASE("serial round: a secondary ahead of the named primary is flagged", "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 2024060101),  // the primary
        answer("alpha", "ns2.alpha-dns.test", "192.0.2.2", 2024060101),
        answer("beta", "ns1.beta-dns.test", "198.51.100.1", 2024060107),  // ahead
        answer("beta", "ns2.beta-dns.test", "198.51.100.2", 2024060100),  // behind the primary
    };
    // The name is matched without case and trailing dot.
    const SerialRound round = evaluate_serial_round(results, "NS1.Alpha-DNS.test.");
    CHECK(round.primary_serial == 2024060101u);
    CHECK(round.reference_kind == SerialReference::primary);
    CHECK(round.reference == 2024060101u);
    CHECK(round.newest == 2024060107u);  // still reported: the newest serial anyone answered
    CHECK(round.addresses[0].state == SerialState::current);
    CHECK(round.addresses[1].state == SerialState::current);
    CHECK(round.addresses[2].state == SerialState::ahead_of_primary);
    CHECK(round.addresses[2].behind_by == 0);
    CHECK(round.addresses[3].state == SerialState::behind);
    CHECK(round.addresses[3].behind_by == 1);  // measured against the primary, not the newest

    const auto& beta = summary(round, "beta");
    CHECK(beta.ahead_of_primary == 1);
    CHECK(beta.behind == 1);
    CHECK(lagging_providers(round) == std::vector<std::string>{"beta"});
}

TEST_CASE("serial round: without a named primary nothing is ahead", "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 2024060101),
        answer("beta", "ns1.beta-dns.test", "198.51.100.1", 2024060107),
    };
    const SerialRound round = evaluate_serial_round(results);
    CHECK(round.addresses[0].state == SerialState::behind);
    CHECK(round.addresses[0].behind_by == 6);
    CHECK(round.addresses[1].state == SerialState::current);
    CHECK(lagging_providers(round) == std::vector<std::string>{"alpha"});
}

TEST_CASE("serial round: a primary that did not answer falls back to the newest serial",
          "[serial_round]") {
    const std::vector<ProbeResult> results = {
        failed("alpha", "ns1.alpha-dns.test", "192.0.2.1"),
        answer("alpha", "ns2.alpha-dns.test", "192.0.2.2", 50),
        answer("beta", "ns1.beta-dns.test", "198.51.100.1", 51),
    };
    const SerialRound round = evaluate_serial_round(results, "ns1.alpha-dns.test");
    CHECK_FALSE(round.primary_serial.has_value());
    CHECK(round.reference_kind == SerialReference::newest);
    CHECK(round.reference == 51u);
    CHECK(round.addresses[0].state == SerialState::no_answer);
    CHECK(round.addresses[1].state == SerialState::behind);
    CHECK(round.addresses[2].state == SerialState::current);
}

TEST_CASE("serial round: the primary's own addresses can lag behind each other", "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 10),
        answer("alpha", "ns1.alpha-dns.test", "2001:db8::1", 12),
    };
    const SerialRound round = evaluate_serial_round(results, "ns1.alpha-dns.test");
    CHECK(round.primary_serial == 12u);
    CHECK(round.addresses[0].state == SerialState::behind);
    CHECK(round.addresses[0].behind_by == 2);
    CHECK(round.addresses[1].state == SerialState::current);
}

TEST_CASE("serial round: serials exactly 2^31 apart make the round undefined", "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 7),
        answer("beta", "ns1.beta-dns.test", "198.51.100.1", 7 + kHalf),
        failed("beta", "ns2.beta-dns.test", "198.51.100.2"),
    };
    const SerialRound round = evaluate_serial_round(results);
    CHECK_FALSE(round.newest.has_value());
    CHECK(round.reference_kind == SerialReference::none);
    CHECK_FALSE(round.reference.has_value());
    CHECK(round.addresses[0].state == SerialState::undefined);
    CHECK(round.addresses[0].serial == 7u);
    CHECK(round.addresses[1].state == SerialState::undefined);
    CHECK(round.addresses[2].state == SerialState::no_answer);
    CHECK(lagging_providers(round).empty());
    CHECK(summary(round, "beta").undefined == 1);
    CHECK(summary(round, "beta").no_answer == 1);
}

TEST_CASE("serial round: with a primary, only the pair exactly 2^31 away is undefined",
          "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 1000),
        answer("beta", "ns1.beta-dns.test", "198.51.100.1", 1000 + kHalf),
        answer("beta", "ns2.beta-dns.test", "198.51.100.2", 999),
    };
    const SerialRound round = evaluate_serial_round(results, "ns1.alpha-dns.test");
    CHECK_FALSE(round.newest.has_value());
    CHECK(round.reference_kind == SerialReference::primary);
    CHECK(round.addresses[0].state == SerialState::current);
    CHECK(round.addresses[1].state == SerialState::undefined);
    CHECK(round.addresses[2].state == SerialState::behind);
    CHECK(round.addresses[2].behind_by == 1);
}

TEST_CASE("serial round: UDP and TCP results of one address are counted separately",
          "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 5, Transport::udp),
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 5, Transport::tcp),
    };
    const SerialRound round = evaluate_serial_round(results);
    REQUIRE(round.addresses.size() == 2);
    CHECK(round.addresses[1].target.transport == Transport::tcp);
    CHECK(summary(round, "alpha").results == 2);
    CHECK(summary(round, "alpha").current == 2);
}

TEST_CASE("serial round: providers are summarised in name order", "[serial_round]") {
    const std::vector<ProbeResult> results = {
        answer("gamma", "ns1.gamma-dns.test", "203.0.113.1", 30),
        answer("alpha", "ns1.alpha-dns.test", "192.0.2.1", 30),
        answer("beta", "ns1.beta-dns.test", "198.51.100.1", 28),
        answer("gamma", "ns2.gamma-dns.test", "203.0.113.2", 27),
    };
    const SerialRound round = evaluate_serial_round(results);
    REQUIRE(round.providers.size() == 3);
    CHECK(round.providers[0].provider == "alpha");
    CHECK(round.providers[1].provider == "beta");
    CHECK(round.providers[2].provider == "gamma");
    CHECK(round.providers[2].min_serial == 27u);
    CHECK(round.providers[2].max_behind_by == 3);
    CHECK(lagging_providers(round) == std::vector<std::string>{"beta", "gamma"});
}

TEST_CASE("serial round: an empty round", "[serial_round]") {
    const SerialRound round = evaluate_serial_round({});
    CHECK_FALSE(round.newest.has_value());
    CHECK(round.reference_kind == SerialReference::none);
    CHECK(round.addresses.empty());
    CHECK(round.providers.empty());
    CHECK(lagging_providers(round).empty());
}

TEST_CASE("judge_serial: one rule for the daemon and status --db, primary restored from backup") {
    // The primary went back from 12 to 10 (an old backup); the secondaries still serve 12.
    CHECK(nswatch::judge_serial(10, 10, true).state == nswatch::SerialState::current);
    CHECK(nswatch::judge_serial(12, 10, true).state == nswatch::SerialState::ahead_of_primary);
    // Without a named primary the newest (12) is the reference: the primary is behind by 2.
    const auto v = nswatch::judge_serial(10, 12, false);
    CHECK(v.state == nswatch::SerialState::behind);
    CHECK(v.behind_by == 2);
    CHECK(nswatch::judge_serial(12, 12, false).state == nswatch::SerialState::current);
    CHECK(nswatch::judge_serial(5, std::nullopt, false).state == nswatch::SerialState::undefined);
    CHECK(nswatch::judge_serial(0, 0x80000000u, false).state == nswatch::SerialState::undefined);
}
