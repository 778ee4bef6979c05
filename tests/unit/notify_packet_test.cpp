// Tests for dns/notify_packet: the verdict of each kind of NOTIFY and the reply built for it.
#include "dns/notify_packet.hpp"

#include <ldns/ldns.h>

#include <catch2/catch.hpp>
#include <random>

#include "notify_test_packets.hpp"

using namespace nswatch;
using nswatch::test::build_notify;
using nswatch::test::NotifyBuild;

namespace {

NotifyPolicy lab_policy() {
    NotifyPolicy p;
    p.allowed_sources = {"127.53.1.0/24", "fd00:53::1:0/112"};
    p.zones = {"shop.test"};
    return p;
}

// Judged at the real time: build_notify signs with ldns, which reads the clock (the virtual-clock
// cases are in notify_packet_tsig_test.cpp).
NotifyDecision judge(std::span<const uint8_t> bytes, std::string_view source,
                     const NotifyPolicy& policy) {
    return judge_notify(bytes, source, policy, std::chrono::system_clock::now(), nullptr);
}

struct Reply {
    ldns_pkt* pkt = nullptr;
    explicit Reply(const std::vector<uint8_t>& bytes) {
        REQUIRE(ldns_wire2pkt(&pkt, bytes.data(), bytes.size()) == LDNS_STATUS_OK);
    }
    ~Reply() { ldns_pkt_free(pkt); }
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;
};

}  // namespace

TEST_CASE("notify: an allowed NOTIFY is accepted and answered like RFC 1996 asks", "[notify]") {
    const auto bytes = build_notify({});
    const NotifyDecision d = judge(bytes, "127.53.1.1", lab_policy());
    CHECK(d.verdict == NotifyVerdict::accepted);
    CHECK(d.zone == "shop.test");
    REQUIRE(d.serial);
    CHECK(*d.serial == 2026112202u);
    REQUIRE_FALSE(d.reply.empty());
    Reply r(d.reply);
    CHECK(ldns_pkt_id(r.pkt) == 0x4242);
    CHECK(ldns_pkt_qr(r.pkt));
    CHECK(ldns_pkt_aa(r.pkt));
    CHECK(ldns_pkt_get_opcode(r.pkt) == LDNS_PACKET_NOTIFY);
    CHECK(ldns_pkt_get_rcode(r.pkt) == LDNS_RCODE_NOERROR);
    REQUIRE(ldns_pkt_qdcount(r.pkt) == 1);
    CHECK(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(r.pkt), 0)) == LDNS_RR_TYPE_SOA);
    CHECK(ldns_pkt_ancount(r.pkt) == 0);
}

TEST_CASE("notify: without a serial it is still accepted (the serial is optional)", "[notify]") {
    NotifyBuild b;
    b.serial.reset();
    const NotifyDecision d = judge(build_notify(b), "fd00:53::1:1", lab_policy());
    CHECK(d.verdict == NotifyVerdict::accepted);
    CHECK_FALSE(d.serial);
}

TEST_CASE("notify: refusals carry the request's ID and question and the right rcode", "[notify]") {
    struct Case {
        const char* what;
        NotifyBuild build;
        std::string source;
        NotifyVerdict verdict;
        ldns_pkt_rcode rcode;
    };
    NotifyBuild other_zone;
    other_zone.zone = "other.test.";
    NotifyBuild query;
    query.opcode = LDNS_PACKET_QUERY;
    NotifyBuild a_question;
    a_question.qtype = LDNS_RR_TYPE_A;
    const std::vector<Case> cases{
        {"unlisted source", {}, "127.63.0.9", NotifyVerdict::refused_source, LDNS_RCODE_REFUSED},
        {"unlisted v6 source",
         {},
         "fd00:53::2:1",
         NotifyVerdict::refused_source,
         LDNS_RCODE_REFUSED},
        {"zone not watched", other_zone, "127.53.1.1", NotifyVerdict::refused_zone,
         LDNS_RCODE_REFUSED},
        {"a plain query", query, "127.53.1.1", NotifyVerdict::not_notify, LDNS_RCODE_NOTIMPL},
        {"question not SOA", a_question, "127.53.1.1", NotifyVerdict::bad_question,
         LDNS_RCODE_FORMERR},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        const NotifyDecision d = judge(build_notify(c.build), c.source, lab_policy());
        CHECK(d.verdict == c.verdict);
        CHECK_FALSE(d.detail.empty());
        REQUIRE_FALSE(d.reply.empty());
        Reply r(d.reply);
        CHECK(ldns_pkt_id(r.pkt) == 0x4242);
        CHECK(ldns_pkt_qr(r.pkt));
        CHECK(ldns_pkt_get_rcode(r.pkt) == c.rcode);
        CHECK(ldns_pkt_qdcount(r.pkt) == 1);
    }
}

TEST_CASE("notify: responses and broken bytes are dropped without a reply", "[notify]") {
    NotifyBuild response;
    response.qr = true;
    const auto good = build_notify({});
    std::vector<std::vector<uint8_t>> bad{
        build_notify(response),
        {},
        {0x42, 0x42, 0x20},                                         // 3 bytes: no header
        std::vector<uint8_t>(good.begin(), good.begin() + 12 + 5),  // question cut short
        std::vector<uint8_t>(good.begin(), good.end() - 3),         // SOA rdata cut short
    };
    // Header claims 1 question, body is a compression pointer to itself (a loop).
    bad.push_back({0x42, 0x42, 0x20, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0,
                   0x0C, 0x00, 0x06, 0x00, 0x01});
    for (const auto& bytes : bad) {
        const NotifyDecision d = judge(bytes, "127.53.1.1", lab_policy());
        CHECK(d.verdict == NotifyVerdict::malformed);
        CHECK(d.reply.empty());
        CHECK_FALSE(d.detail.empty());
    }
}

TEST_CASE("notify: TSIG required: right key accepted and the reply signed over its MAC",
          "[notify][tsig]") {
    NotifyPolicy p = lab_policy();
    p.keys = {TsigKey{"notify-key", "hmac-sha256", test::kKeySecret}};
    NotifyBuild b;
    b.key_name = "notify-key.";
    const auto bytes = build_notify(b);
    const NotifyDecision d = judge(bytes, "127.53.1.1", p);
    REQUIRE(d.verdict == NotifyVerdict::accepted);
    CHECK(d.key_name == "notify-key");

    // The reply verifies against the request's MAC, as the primary checks it.
    ldns_pkt* req = nullptr;
    REQUIRE(ldns_wire2pkt(&req, bytes.data(), bytes.size()) == LDNS_STATUS_OK);
    const ldns_rdf* mac = ldns_rr_rdf(ldns_pkt_tsig(req), 3);
    Reply r(d.reply);
    CHECK(ldns_pkt_tsig(r.pkt) != nullptr);
    CHECK(ldns_pkt_tsig_verify(r.pkt, d.reply.data(), d.reply.size(), "notify-key.",
                               test::kKeySecret, mac));
    ldns_pkt_free(req);
}

TEST_CASE("notify: TSIG required: wrong secret, unknown key or none is NOTAUTH", "[notify][tsig]") {
    NotifyPolicy p = lab_policy();
    p.keys = {TsigKey{"notify-key", "hmac-sha256", test::kKeySecret}};
    NotifyBuild wrong_secret;
    wrong_secret.key_name = "notify-key.";
    wrong_secret.key_secret = test::kOtherSecret;
    NotifyBuild unknown_key;
    unknown_key.key_name = "other-key.";
    const std::vector<std::pair<NotifyBuild, NotifyVerdict>> cases{
        {wrong_secret, NotifyVerdict::bad_sig},
        {unknown_key, NotifyVerdict::bad_key},
        {NotifyBuild{}, NotifyVerdict::unsigned_tsig}};
    for (const auto& [b, verdict] : cases) {
        const NotifyDecision d = judge(build_notify(b), "127.53.1.1", p);
        CHECK(d.verdict == verdict);
        CHECK(metric_verdict(d.verdict) == "bad_tsig");
        INFO(d.detail);
        REQUIRE_FALSE(d.reply.empty());
        Reply r(d.reply);
        CHECK(ldns_pkt_get_rcode(r.pkt) == LDNS_RCODE_NOTAUTH);
        CHECK(ldns_pkt_tsig(r.pkt) == nullptr);  // RFC 8945 §5.2.1, §5.2.2: unsigned
    }
    // The source check comes first: a signed NOTIFY from an unlisted source is still refused.
    NotifyBuild signed_notify;
    signed_notify.key_name = "notify-key.";
    CHECK(judge(build_notify(signed_notify), "127.63.0.9", p).verdict ==
          NotifyVerdict::refused_source);
}

TEST_CASE("notify: mutated and random bytes never crash and never get an accepted answer",
          "[notify][fuzz]") {
    std::mt19937 rng(1996);
    const auto good = build_notify({});
    const NotifyPolicy p = lab_policy();
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<uint8_t> bytes = good;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
        if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
        const NotifyDecision d = judge(bytes, "127.53.1.1", p);
        if (d.verdict == NotifyVerdict::malformed) CHECK(d.reply.empty());
        if (d.verdict == NotifyVerdict::accepted) {
            ++accepted;
            CHECK(d.zone == "shop.test");
        }
    }
    for (int i = 0; i < 5000; ++i) {
        std::vector<uint8_t> bytes(rng() % 600);
        for (auto& b : bytes) b = static_cast<uint8_t>(rng());
        CHECK_NOTHROW(judge(bytes, "127.53.1.1", p));
    }
    // Flips in the SOA's TTL or ID still make a valid NOTIFY: some are accepted, most are not.
    CHECK(accepted > 0);
    CHECK(accepted < 20000);
}

TEST_CASE("notify: source patterns", "[notify]") {
    CHECK(address_matches("127.53.1.1", "127.53.1.1"));
    CHECK(address_matches("127.53.1.77", "127.53.1.0/24"));
    CHECK_FALSE(address_matches("127.53.2.1", "127.53.1.0/24"));
    CHECK(address_matches("127.53.1.1", "127.53.0.0/23"));
    CHECK_FALSE(address_matches("127.53.2.1", "127.53.0.0/23"));
    CHECK(address_matches("fd00:53::1:2", "fd00:53::1:0/112"));
    CHECK_FALSE(address_matches("fd00:53::2:2", "fd00:53::1:0/112"));
    CHECK_FALSE(address_matches("127.53.1.1", "fd00:53::1:0/112"));
    CHECK(address_matches("10.1.2.3", "0.0.0.0/0"));
    CHECK_FALSE(address_matches("not-an-ip", "127.0.0.0/8"));
    CHECK(valid_address_pattern("192.0.2.0/24"));
    CHECK(valid_address_pattern("2001:db8::/32"));
    CHECK_FALSE(valid_address_pattern("192.0.2.0/33"));
    CHECK_FALSE(valid_address_pattern("192.0.2.0/"));
    CHECK_FALSE(valid_address_pattern("192.0.2.0/x"));
    CHECK_FALSE(valid_address_pattern("ns1.example"));
}
