// Tests for the TSIG time and replay checks of dns/notify_packet on a virtual clock: NOTIFYs
// signed early, late, at the window's edges and twice, and the signed BADTIME answers they get.
#include <catch2/catch.hpp>

#include "dns/notify_packet.hpp"

// After notify_packet.hpp: ldns (which this includes) upsets <optional> when included before it.
#include "dns/tsig_guard.hpp"
#include "dns/tsig_sign.hpp"
#include "notify_test_packets.hpp"

using namespace nswatch;
using nswatch::test::build_notify;
using nswatch::test::NotifyBuild;

namespace {

constexpr TsigSeconds kNow = 1796000000;  // 2026-11-30

std::chrono::system_clock::time_point at(TsigSeconds s) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(s));
}

NotifyPolicy signed_policy() {
    NotifyPolicy p;
    p.allowed_sources = {"127.53.1.0/24"};
    p.zones = {"shop.test"};
    p.keys = {TsigKey{"notify-key", "hmac-sha256", test::kKeySecret}};
    return p;
}

std::vector<uint8_t> signed_at(TsigSeconds t, uint16_t fudge = 300, uint16_t id = 0x4242) {
    NotifyBuild b;
    b.key_name = "notify-key.";
    b.time_signed = static_cast<uint64_t>(t);
    b.fudge = fudge;
    b.id = id;
    return build_notify(b);
}

// The answer's TSIG fields, after checking that it verifies over the request's MAC.
struct SignedAnswer {
    ldns_pkt_rcode rcode = LDNS_RCODE_NOERROR;
    uint16_t error = 0;
    uint64_t time_signed = 0;
    uint16_t fudge = 0;
    std::optional<uint64_t> server_time;  ///< Other Data, when 6 bytes
};

SignedAnswer read_answer(const std::vector<uint8_t>& request, const std::vector<uint8_t>& reply) {
    ldns_pkt* req = nullptr;
    ldns_pkt* ans = nullptr;
    REQUIRE(ldns_wire2pkt(&req, request.data(), request.size()) == LDNS_STATUS_OK);
    REQUIRE(ldns_wire2pkt(&ans, reply.data(), reply.size()) == LDNS_STATUS_OK);
    const ldns_rr* tsig = ldns_pkt_tsig(ans);
    REQUIRE(tsig != nullptr);
    REQUIRE(ldns_rr_rd_count(tsig) == 7);
    CHECK(ldns_pkt_tsig_verify(ans, reply.data(), reply.size(), "notify-key.", test::kKeySecret,
                               ldns_rr_rdf(ldns_pkt_tsig(req), 3)));
    SignedAnswer a;
    a.rcode = ldns_pkt_get_rcode(ans);
    a.error = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
    REQUIRE(tsig_read_time(ldns_rdf_data(ldns_rr_rdf(tsig, 1)), 6, a.time_signed));
    a.fudge = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 2));
    const ldns_rdf* other = ldns_rr_rdf(tsig, 6);
    uint64_t t = 0;
    if (tsig_read_time(ldns_rdf_data(other) + 2, ldns_rdf_size(other) - 2, t)) a.server_time = t;
    ldns_pkt_free(ans);
    ldns_pkt_free(req);
    return a;
}

}  // namespace

TEST_CASE("notify tsig: signed inside the window is accepted, the answer signed at our time",
          "[notify][tsig]") {
    TsigReplayMemory replays;
    const auto request = signed_at(kNow - 10);
    const NotifyDecision d =
        judge_notify(request, "127.53.1.1", signed_policy(), at(kNow), &replays);
    REQUIRE(d.verdict == NotifyVerdict::accepted);
    CHECK(d.key_name == "notify-key");
    const SignedAnswer a = read_answer(request, d.reply);
    CHECK(a.rcode == LDNS_RCODE_NOERROR);
    CHECK(a.error == 0);
    CHECK(a.time_signed == static_cast<uint64_t>(kNow));
    CHECK_FALSE(a.server_time);
}

TEST_CASE("notify tsig: signed in 2001 or a year ahead is BADTIME, told our time, signed",
          "[notify][tsig]") {
    const std::vector<std::pair<const char*, TsigSeconds>> cases{
        {"2001", 1000000000}, {"a year ahead", kNow + 365 * 86400}};
    for (const auto& [what, t] : cases) {
        INFO(what);
        TsigReplayMemory replays;
        const auto request = signed_at(t);
        const NotifyDecision d =
            judge_notify(request, "127.53.1.1", signed_policy(), at(kNow), &replays);
        CHECK(d.verdict == NotifyVerdict::bad_time);
        CHECK(d.detail.find("beyond the fudge of 300 s") != std::string::npos);
        const SignedAnswer a = read_answer(request, d.reply);
        CHECK(a.rcode == LDNS_RCODE_NOTAUTH);
        CHECK(a.error == kTsigBadTime);
        CHECK(a.time_signed == static_cast<uint64_t>(t));  // the client's own time back
        CHECK(a.fudge == 300);
        REQUIRE(a.server_time);
        CHECK(*a.server_time == static_cast<uint64_t>(kNow));
        CHECK(replays.size() == 0);  // never remembered
    }
}

TEST_CASE("notify tsig: the window's edges, and the request's fudge capped by ours",
          "[notify][tsig]") {
    struct Case {
        TsigSeconds signed_at;
        uint16_t fudge;
        NotifyVerdict verdict;
    };
    const std::vector<Case> cases{
        {kNow - 300, 300, NotifyVerdict::accepted},    {kNow + 300, 300, NotifyVerdict::accepted},
        {kNow - 301, 300, NotifyVerdict::bad_time},    {kNow + 301, 300, NotifyVerdict::bad_time},
        {kNow - 10, 5, NotifyVerdict::bad_time},        // a narrower window asked for is kept
        {kNow - 5, 5, NotifyVerdict::accepted},         //
        {kNow - 3600, 65535, NotifyVerdict::bad_time},  // a wider one is capped at 300 s
    };
    for (const auto& c : cases) {
        INFO("signed " << (kNow - c.signed_at) << " s ago, fudge " << c.fudge);
        TsigReplayMemory replays;
        const NotifyDecision d = judge_notify(signed_at(c.signed_at, c.fudge), "127.53.1.1",
                                              signed_policy(), at(kNow), &replays);
        CHECK(d.verdict == c.verdict);
    }
    // Our cap is the policy's.
    NotifyPolicy wide = signed_policy();
    wide.max_fudge = 3600;
    TsigReplayMemory replays;
    CHECK(judge_notify(signed_at(kNow - 3600, 65535), "127.53.1.1", wide, at(kNow), &replays)
              .verdict == NotifyVerdict::accepted);
}

TEST_CASE("notify tsig: a copy of an accepted NOTIFY is refused until its window closes",
          "[notify][tsig]") {
    TsigReplayMemory replays;
    const NotifyPolicy p = signed_policy();
    const auto request = signed_at(kNow);
    REQUIRE(judge_notify(request, "127.53.1.1", p, at(kNow), &replays).verdict ==
            NotifyVerdict::accepted);
    for (TsigSeconds later : {0, 1, 150, 300}) {
        INFO(later << " s later");
        const NotifyDecision d = judge_notify(request, "127.53.1.1", p, at(kNow + later), &replays);
        CHECK(d.verdict == NotifyVerdict::replayed);
        CHECK(d.key_name == "notify-key");
        const SignedAnswer a = read_answer(request, d.reply);
        CHECK(a.rcode == LDNS_RCODE_NOTAUTH);
        CHECK(a.error == kTsigBadTime);
        REQUIRE(a.server_time);
        CHECK(*a.server_time == static_cast<uint64_t>(kNow + later));
    }
    // After the window, the copy is stale rather than a replay; it is never accepted again.
    CHECK(judge_notify(request, "127.53.1.1", p, at(kNow + 301), &replays).verdict ==
          NotifyVerdict::bad_time);
    // A fresh NOTIFY (new time, so a new MAC) for the same zone is accepted.
    CHECK(judge_notify(signed_at(kNow + 1), "127.53.1.1", p, at(kNow + 2), &replays).verdict ==
          NotifyVerdict::accepted);
    // Without a memory there is no replay check (the pure time check still holds).
    CHECK(judge_notify(request, "127.53.1.1", p, at(kNow), nullptr).verdict ==
          NotifyVerdict::accepted);
}

TEST_CASE("notify tsig: a bad MAC is BADSIG whatever its time, and is not remembered",
          "[notify][tsig]") {
    TsigReplayMemory replays;
    NotifyBuild forged;
    forged.key_name = "notify-key.";
    forged.key_secret = test::kOtherSecret;
    forged.time_signed = static_cast<uint64_t>(1000000000);
    const NotifyDecision d =
        judge_notify(build_notify(forged), "127.53.1.1", signed_policy(), at(kNow), &replays);
    CHECK(d.verdict == NotifyVerdict::bad_sig);
    CHECK(replays.size() == 0);
}

TEST_CASE("notify tsig: verdict names for the metrics", "[notify][tsig]") {
    CHECK(to_string(NotifyVerdict::bad_time) == "bad_time");
    CHECK(to_string(NotifyVerdict::replayed) == "replayed");
    CHECK(to_string(NotifyVerdict::unsigned_tsig) == "unsigned");
    CHECK(metric_verdict(NotifyVerdict::bad_key) == "bad_tsig");
    CHECK(metric_verdict(NotifyVerdict::bad_time) == "bad_time");
    CHECK(metric_verdict(NotifyVerdict::accepted) == "accepted");
}
