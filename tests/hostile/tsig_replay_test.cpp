// Hostile: a captured TSIG-signed NOTIFY replayed 20,000 times, and NOTIFYs signed in 2001 and a
// year ahead, against the real listener on a loopback port. The replays must all be refused and
// counted while the log stays a few lines long; the stale ones must get a signed BADTIME answer
// carrying our clock; and the next genuine NOTIFY must still be accepted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <sstream>

#include "dns/tsig_sign.hpp"
#include "prober/notify_listener.hpp"
// ldns after the standard headers (its macros upset <optional>).
#include <ldns/ldns.h>

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSecret = "aG9zdGlsZS10c2lnLXJlcGxheS10ZXN0LXNlY3JldCE=";
const TsigKey kKey{"notify-key", "hmac-sha256", kSecret};

uint64_t wall_seconds() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

// A NOTIFY for shop.test as a primary sends it, signed at `time_signed`.
std::vector<uint8_t> signed_notify(uint64_t time_signed, uint16_t id, uint32_t serial) {
    ldns_pkt* pkt = ldns_pkt_query_new(ldns_dname_new_frm_str("shop.test."), LDNS_RR_TYPE_SOA,
                                       LDNS_RR_CLASS_IN, LDNS_AA);
    ldns_pkt_set_id(pkt, id);
    ldns_pkt_set_opcode(pkt, LDNS_PACKET_NOTIFY);
    ldns_rr* soa = nullptr;
    const std::string text = "shop.test. 3600 IN SOA ns1.shop.test. hostmaster.shop.test. " +
                             std::to_string(serial) + " 14400 3600 1209600 300";
    REQUIRE(ldns_rr_new_frm_str(&soa, text.c_str(), 0, nullptr, nullptr) == LDNS_STATUS_OK);
    ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, soa);
    REQUIRE(tsig_sign(pkt, kKey, TsigFields{time_signed, 300, 0, {}}, nullptr).empty());
    uint8_t* wire = nullptr;
    size_t size = 0;
    REQUIRE(ldns_pkt2wire(&wire, pkt, &size) == LDNS_STATUS_OK);
    std::vector<uint8_t> out(wire, wire + size);
    std::free(wire);
    ldns_pkt_free(pkt);
    return out;
}

// One UDP socket on 127.0.0.1 talking to the listener, one exchange at a time.
class UdpClient {
  public:
    explicit UdpClient(uint16_t port) {
        fd_ = socket(AF_INET, SOCK_DGRAM, 0);
        REQUIRE(fd_ >= 0);
        dst_.sin_family = AF_INET;
        dst_.sin_port = htons(port);
        inet_pton(AF_INET, "127.0.0.1", &dst_.sin_addr);
    }
    ~UdpClient() { close(fd_); }
    UdpClient(const UdpClient&) = delete;
    UdpClient& operator=(const UdpClient&) = delete;

    /// The reply, or empty after 2 s without one.
    std::vector<uint8_t> exchange(const std::vector<uint8_t>& msg) {
        sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<const sockaddr*>(&dst_),
               sizeof dst_);
        std::vector<uint8_t> buf(4096);
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 2000) != 1) return {};
        const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
        buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
        return buf;
    }

  private:
    int fd_ = -1;
    sockaddr_in dst_{};
};

// What a client learns from a signed answer, after checking it verifies over its request's MAC.
struct Answer {
    int rcode = -1;
    uint16_t tsig_error = 0;
    uint64_t time_signed = 0;
    std::optional<uint64_t> server_time;
};

Answer parse_answer(const std::vector<uint8_t>& request, const std::vector<uint8_t>& reply) {
    ldns_pkt* req = nullptr;
    ldns_pkt* ans = nullptr;
    REQUIRE(ldns_wire2pkt(&req, request.data(), request.size()) == LDNS_STATUS_OK);
    REQUIRE(ldns_wire2pkt(&ans, reply.data(), reply.size()) == LDNS_STATUS_OK);
    const ldns_rr* tsig = ldns_pkt_tsig(ans);
    REQUIRE(tsig != nullptr);
    REQUIRE(ldns_rr_rd_count(tsig) == 7);
    CHECK(ldns_pkt_tsig_verify(ans, reply.data(), reply.size(), "notify-key.", kSecret,
                               ldns_rr_rdf(ldns_pkt_tsig(req), 3)));
    Answer a;
    a.rcode = ldns_pkt_get_rcode(ans);
    a.tsig_error = ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
    REQUIRE(tsig_read_time(ldns_rdf_data(ldns_rr_rdf(tsig, 1)), 6, a.time_signed));
    const ldns_rdf* other = ldns_rr_rdf(tsig, 6);
    uint64_t t = 0;
    if (tsig_read_time(ldns_rdf_data(other) + 2, ldns_rdf_size(other) - 2, t)) a.server_time = t;
    ldns_pkt_free(ans);
    ldns_pkt_free(req);
    return a;
}

size_t count_lines(const std::string& text, const std::string& needle) {
    size_t n = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.find(needle) != std::string::npos) ++n;
    }
    return n;
}

// Captures the default logger's lines for the test's duration.
struct LogCapture {
    std::ostringstream out;
    std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
    LogCapture() {
        auto logger = std::make_shared<spdlog::logger>(
            "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
        logger->set_level(spdlog::level::debug);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous); }
    std::string text() {
        spdlog::default_logger()->flush();
        return out.str();
    }
};

}  // namespace

TEST_CASE("notify: a replayed TSIG NOTIFY is refused every time, counted, and barely logged",
          "[hostile][notify][tsig]") {
    LogCapture log;
    std::mutex mu;
    std::vector<NotifyEvent> accepted;
    NotifyListenerOptions o;
    o.address = "127.0.0.1";
    o.port = 0;
    o.policy.allowed_sources = {"127.0.0.1"};
    o.policy.zones = {"shop.test"};
    o.policy.keys = {kKey};
    NotifyListener listener(o, [&](const NotifyEvent& e) {
        std::lock_guard lock(mu);
        accepted.push_back(e);
    });
    UdpClient client(listener.port());
    const auto accepted_count = [&] {
        std::lock_guard lock(mu);
        return accepted.size();
    };

    // The genuine NOTIFY: accepted once, answered NOERROR signed.
    const auto captured = signed_notify(wall_seconds(), 0x1001, 2026120501);
    const auto first = client.exchange(captured);
    REQUIRE_FALSE(first.empty());
    const Answer ok = parse_answer(captured, first);
    CHECK(ok.rcode == LDNS_RCODE_NOERROR);
    CHECK(ok.tsig_error == 0);
    REQUIRE(accepted_count() == 1);

    // The attacker replays it 20,000 times: each answered NOTAUTH/BADTIME, none accepted.
    constexpr int kReplays = 20000;
    const auto started = std::chrono::steady_clock::now();
    int answered_badtime = 0;
    std::vector<uint8_t> last;
    for (int i = 0; i < kReplays; ++i) {
        last = client.exchange(captured);
        if (last.size() >= 12 && (last[3] & 0x0F) == LDNS_RCODE_NOTAUTH) ++answered_badtime;
    }
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(answered_badtime == kReplays);
    const Answer replay = parse_answer(captured, last);
    CHECK(replay.rcode == LDNS_RCODE_NOTAUTH);
    CHECK(replay.tsig_error == kTsigBadTime);
    CHECK(accepted_count() == 1);
    CHECK(listener.count(NotifyVerdict::replayed) == static_cast<uint64_t>(kReplays));
    CHECK(listener.count(NotifyVerdict::accepted) == 1);

    // A handful of log lines, not 20,000: one per reason per 10 s.
    const std::string text = log.text();
    const auto replay_lines = count_lines(text, "rejected (replayed)");
    const auto allowed_lines =
        1 +
        static_cast<size_t>(std::chrono::duration_cast<std::chrono::seconds>(took).count() / 10);
    INFO("replays took " << std::chrono::duration<double>(took).count() << " s; log:\n" << text);
    CHECK(replay_lines >= 1);
    CHECK(replay_lines <= allowed_lines);
    CHECK(count_lines(text, "notify:") <= allowed_lines + 1);  // + the accepted line

    // Signed in 2001 and a year ahead: BADTIME, signed, with our clock in Other Data.
    for (const uint64_t signed_at : {uint64_t{1000000000}, wall_seconds() + 365 * 86400}) {
        INFO("signed at " << signed_at);
        const auto stale = signed_notify(signed_at, 0x2002, 2026120502);
        const uint64_t before = wall_seconds();
        const auto reply = client.exchange(stale);
        const uint64_t after = wall_seconds();
        REQUIRE_FALSE(reply.empty());
        const Answer a = parse_answer(stale, reply);
        CHECK(a.rcode == LDNS_RCODE_NOTAUTH);
        CHECK(a.tsig_error == kTsigBadTime);
        CHECK(a.time_signed == signed_at);
        REQUIRE(a.server_time);
        CHECK(*a.server_time >= before);
        CHECK(*a.server_time <= after);
    }
    CHECK(listener.count(NotifyVerdict::bad_time) == 2);
    CHECK(accepted_count() == 1);

    // The primary's next NOTIFY (a new serial, so a new MAC) is still accepted.
    const auto next = signed_notify(wall_seconds(), 0x3003, 2026120503);
    const auto reply = client.exchange(next);
    REQUIRE_FALSE(reply.empty());
    CHECK(parse_answer(next, reply).rcode == LDNS_RCODE_NOERROR);
    REQUIRE(accepted_count() == 2);
    std::lock_guard lock(mu);
    REQUIRE(accepted[1].serial);
    CHECK(*accepted[1].serial == 2026120503u);
    CHECK(accepted[1].key_name == "notify-key");
}
