// Tests for monitor/answer_cadence: watched names every k-th round, and in the round after a
// serial moved or a server stopped or started answering.
#include "monitor/answer_cadence.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

namespace {

ProbeResult soa_at(const std::string& address, std::optional<uint32_t> serial,
                   Transport transport = Transport::udp) {
    ProbeResult r;
    r.target.address = address;
    r.target.transport = transport;
    if (serial) {
        r.soa = SoaFields{};
        r.soa->serial = *serial;
    }
    return r;
}

// Rounds 1..n with unchanging serials: which of them probe the names.
std::vector<int> probing_rounds(AnswerCadence& c, int every, int n,
                                const std::vector<ProbeResult>& results) {
    std::vector<int> out;
    for (int round = 1; round <= n; ++round) {
        if (c.start_round(every)) out.push_back(round);
        c.finish_round(results);
    }
    return out;
}

}  // namespace

TEST_CASE("answer cadence: every k-th round while nothing moves", "[cadence]") {
    const std::vector<ProbeResult> steady{soa_at("192.0.2.1", 7), soa_at("192.0.2.2", 7)};
    AnswerCadence c;
    // Round 1 always; round 2 because round 1 first saw the serials; then every 5th.
    CHECK(probing_rounds(c, 5, 12, steady) == std::vector<int>{1, 2, 7, 12});
    AnswerCadence every;
    CHECK(probing_rounds(every, 1, 4, steady) == std::vector<int>{1, 2, 3, 4});
    AnswerCadence zero;  // 0 or less counts as 1
    CHECK(probing_rounds(zero, 0, 3, steady) == std::vector<int>{1, 2, 3});
}

TEST_CASE("answer cadence: a moved serial brings the next round forward", "[cadence]") {
    AnswerCadence c;
    probing_rounds(c, 100, 3, {soa_at("192.0.2.1", 7), soa_at("192.0.2.2", 7)});
    CHECK_FALSE(c.start_round(100));
    c.finish_round({soa_at("192.0.2.1", 8), soa_at("192.0.2.2", 7)});  // the primary moved
    CHECK(c.start_round(100));
    c.finish_round({soa_at("192.0.2.1", 8), soa_at("192.0.2.2", 8)});  // the secondary follows
    CHECK(c.start_round(100));
    c.finish_round({soa_at("192.0.2.2", 8), soa_at("192.0.2.1", 8)});  // same, other order
    CHECK_FALSE(c.start_round(100));
}

TEST_CASE("answer cadence: a server that stops or starts answering counts as a move", "[cadence]") {
    AnswerCadence c;
    probing_rounds(c, 100, 3, {soa_at("192.0.2.1", 7), soa_at("192.0.2.2", 7)});
    c.start_round(100);
    c.finish_round({soa_at("192.0.2.1", 7), soa_at("192.0.2.2", std::nullopt)});  // time-out
    CHECK(c.start_round(100));
    c.finish_round({soa_at("192.0.2.1", 7), soa_at("192.0.2.2", std::nullopt)});
    CHECK_FALSE(c.start_round(100));
    c.finish_round({soa_at("192.0.2.1", 7), soa_at("192.0.2.2", 7)});  // back
    CHECK(c.start_round(100));
}

TEST_CASE("answer cadence: a round that adds TCP probes is not a move", "[cadence]") {
    AnswerCadence c;
    const std::vector<ProbeResult> udp{soa_at("192.0.2.1", 7), soa_at("192.0.2.2", 7)};
    auto both = udp;
    both.push_back(soa_at("192.0.2.1", 7, Transport::tcp));
    both.push_back(soa_at("192.0.2.2", std::nullopt, Transport::tcp));
    probing_rounds(c, 100, 3, udp);
    c.start_round(100);
    c.finish_round(both);  // the tcp_every-th round
    CHECK_FALSE(c.start_round(100));
    c.finish_round(udp);
    CHECK_FALSE(c.start_round(100));
}
