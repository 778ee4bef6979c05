#include "zonediff/service_inbox.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace nswatch;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

namespace {
Config config_with_interval(std::chrono::milliseconds interval) {
    Config c;
    c.probe.interval = interval;
    return c;
}
}  // namespace

TEST_CASE("service inbox: a config is taken once, the newest one put", "[service_inbox]") {
    ServiceInbox inbox;
    CHECK_FALSE(inbox.take_config().has_value());
    inbox.put_config(config_with_interval(10s));
    inbox.put_config(config_with_interval(20s));  // before the thread took the first
    const auto c = inbox.take_config();
    REQUIRE(c.has_value());
    CHECK(c->probe.interval == 20s);
    CHECK_FALSE(inbox.take_config().has_value());
}

TEST_CASE("service inbox: the wait ends at its time, or early for a config or a stop",
          "[service_inbox]") {
    ServiceInbox inbox;
    auto t = Steady::now();
    CHECK_FALSE(inbox.wait_until(t + 30ms));  // nothing came: slept until the time
    CHECK(Steady::now() - t >= 30ms);

    inbox.put_config(config_with_interval(5s));
    t = Steady::now();
    CHECK_FALSE(inbox.wait_until(t + 10s));  // a config is waiting: no sleep
    CHECK(Steady::now() - t < 5s);
    CHECK(inbox.take_config().has_value());

    std::thread other([&] {
        std::this_thread::sleep_for(50ms);
        inbox.stop();
    });
    t = Steady::now();
    CHECK(inbox.wait_until(t + 10s));  // woken by the stop, well before its time
    CHECK(Steady::now() - t < 5s);
    other.join();
    CHECK(inbox.stopping());
    CHECK(inbox.wait_until(Steady::now() + 10s));  // once stopping, never sleeps again
}
