// A receiver that accepts the connection and never answers must cost only its own channel: the
// other channels' notifications go out at once, exactly once, while it hangs; its own are retried
// after its time-out; a channel removed from the config has its queued rows given up.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "../unit/alerts_receiver.hpp"
#include "../unit/temp_dir.hpp"
#include "alerts/alert_store.hpp"
#include "alerts/delivery.hpp"
#include "alerts/notification.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

using Steady = std::chrono::steady_clock;

/// A TCP port on 127.0.0.1 that completes the handshake (the kernel's backlog) and never reads
/// nor answers: an HTTP client waits there until its own time-out.
class HangingReceiver {
  public:
    HangingReceiver() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        socklen_t len = sizeof sa;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
        port_ = ntohs(sa.sin_port);
    }
    ~HangingReceiver() { ::close(fd_); }
    HangingReceiver(const HangingReceiver&) = delete;
    HangingReceiver& operator=(const HangingReceiver&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

  private:
    int fd_ = -1;
    uint16_t port_ = 0;
};

WallTime real_now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

ChannelConfig webhook(const std::string& name, const std::string& url,
                      std::chrono::milliseconds timeout) {
    ChannelConfig c;
    c.type = "webhook";
    c.name = name;
    c.url = url;
    c.timeout = timeout;
    return c;
}

AlertSettings settings_for(std::vector<ChannelConfig> channels) {
    AlertSettings a;
    a.enabled = true;
    a.retry_initial = 50ms;
    a.retry_max = 200ms;
    a.channels = std::move(channels);
    return a;
}

std::string payload(const std::string& fingerprint) {
    NoticeGroup g;
    g.zone = "shop.test";
    Notice n;
    n.alert.fingerprint = fingerprint;
    n.alert.rule = "provider_down";
    n.alert.severity = AlertSeverity::critical;
    n.alert.labels = {{"zone", "shop.test"}, {"provider", "beta"}};
    n.alert.summary = "provider beta answers no probe";
    n.alert.firing_since = real_now();
    n.reason = "first notification";
    n.at = real_now();
    g.notices = {n};
    return group_payload(g, "v1").dump();
}

/// Polls `done` every 10 ms for up to `limit`; returns how long it took (or `limit`).
template <typename Done>
std::chrono::milliseconds time_until(Done done, std::chrono::milliseconds limit) {
    const auto start = Steady::now();
    while (!done() && Steady::now() - start < limit) std::this_thread::sleep_for(10ms);
    return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - start);
}

}  // namespace

TEST_CASE("delivery: a hanging receiver does not delay another channel's notification",
          "[hostile][delivery]") {
    test::TempDir dir("nswatch-hostile-delivery");
    const std::string db = dir.file("alerts.db");
    HangingReceiver hanging;
    test::Receiver fast;
    // The hanging channel's row comes first in the outbox and its name sorts first: one thread
    // for all channels would send it first and wait out its 3 s before the fast one.
    const auto settings = settings_for(
        {webhook("a-hangs", hanging.url(), 3000ms), webhook("b-answers", fast.url(), 3000ms)});
    AlertStore(db).commit(
        {}, {{"a-hangs", payload("00000000000000a1")}, {"b-answers", payload("00000000000000b1")}},
        real_now());

    Deliverer d(db, settings);
    const auto first = time_until([&] { return fast.requests().size() >= 1; }, 10s);
    INFO("first notification after " << first.count() << " ms");
    CHECK(first < 1s);
    REQUIRE(fast.requests().size() == 1);
    CHECK(d.counters().retried == 0);  // the hanging attempt is still waiting for its time-out

    // While the first channel still hangs, a new notification for the other one goes out at once.
    AlertStore(db).commit({}, {{"b-answers", payload("00000000000000b2")}}, real_now());
    d.wake();
    const auto second = time_until([&] { return fast.requests().size() >= 2; }, 10s);
    INFO("second notification after " << second.count() << " ms");
    CHECK(second < 1s);

    // The hanging channel keeps its retry behaviour: after its 3 s time-out, a retry is counted
    // and its row stays pending; the answering channel got each notification exactly once.
    const auto retried = time_until([&] { return d.counters().retried >= 1; }, 10s);
    INFO("hanging attempt failed after " << retried.count() << " ms");
    CHECK(d.counters().retried >= 1);
    std::this_thread::sleep_for(300ms);
    const auto reqs = fast.requests();
    REQUIRE(reqs.size() == 2);
    CHECK(nlohmann::json::parse(reqs[0].body)["alerts"][0]["fingerprint"] == "00000000000000b1");
    CHECK(nlohmann::json::parse(reqs[1].body)["alerts"][0]["fingerprint"] == "00000000000000b2");
    CHECK(d.counters().delivered == 2);
    const OutboxCounts counts = AlertStore(db).counts();
    CHECK(counts.delivered == 2);
    CHECK(counts.pending == 1);  // the hanging channel's row, waiting for its retry
    CHECK_THAT(counts.last_error, Catch::Contains("a-hangs"));
}

TEST_CASE("delivery: a channel removed while its receiver hangs gives up its rows, others go on",
          "[hostile][delivery]") {
    test::TempDir dir("nswatch-hostile-delivery");
    const std::string db = dir.file("alerts.db");
    HangingReceiver hanging;
    test::Receiver fast;
    AlertStore(db).commit(
        {}, {{"a-hangs", payload("00000000000000a1")}, {"a-hangs", payload("00000000000000a2")}},
        real_now());
    Deliverer d(db, settings_for({webhook("a-hangs", hanging.url(), 1000ms),
                                  webhook("b-answers", fast.url(), 1000ms)}));
    std::this_thread::sleep_for(200ms);  // the first row's attempt is hanging now
    d.reconfigure(settings_for({webhook("b-answers", fast.url(), 1000ms)}));
    AlertStore(db).commit({}, {{"b-answers", payload("00000000000000b1")}}, real_now());
    d.wake();
    CHECK(time_until([&] { return fast.requests().size() >= 1; }, 10s) < 1s);
    // Once the hanging attempt has timed out, its worker ends and both rows are given up.
    time_until([&] { return AlertStore(db).counts().given_up >= 2; }, 10s);
    const OutboxCounts counts = AlertStore(db).counts();
    CHECK(counts.given_up == 2);
    CHECK(counts.delivered == 1);
    CHECK(counts.pending == 0);
    CHECK(fast.requests().size() == 1);
}
