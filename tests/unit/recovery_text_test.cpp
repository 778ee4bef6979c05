// The words of RESOLVED notifications: what recovered and for how long, from the alert's labels
// and start and the zone's state at the recovery.
#include "alerts/recovery_text.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using namespace std::chrono_literals;

TEST_CASE("human_duration: two units at most, largest first") {
    CHECK(human_duration(0s) == "0 s");
    CHECK(human_duration(45s) == "45 s");
    CHECK(human_duration(192s) == "3 m 12 s");
    CHECK(human_duration(2h + 5min + 9s) == "2 h 5 m");
    CHECK(human_duration(27h) == "1 d 3 h");
    CHECK(human_duration(-5s) == "0 s");
}

TEST_CASE("recovery_text: names what recovered, never the firing text") {
    const WallTime t0 = WallTime{} + 1800000000s;
    Alert a;
    a.rule = "provider_down";
    a.labels = {{"zone", "shop.test"}, {"provider", "gamma"}, {"vantage", "default"}};
    a.summary = "provider gamma does not answer";
    a.active_since = t0;
    ZoneState z;
    z.zone = "shop.test";
    for (const char* addr : {"127.53.3.1", "127.53.3.2", "fd00:53::3:1", "fd00:53::3:2"}) {
        TargetState t;
        t.target.provider = "gamma";
        t.target.vantage = "default";
        t.target.address = addr;
        z.targets.push_back(t);
    }
    CHECK(recovery_text(a, &z, t0 + 192s) ==
          "provider gamma answers again for shop.test from vantage default on all 4 addresses "
          "after 3 m 12 s down");
    z.targets[3].up = false;
    CHECK(recovery_text(a, &z, t0 + 192s).find("on 3 of 4 addresses") != std::string::npos);
    CHECK(recovery_text(a, nullptr, t0 + 60s) ==
          "provider gamma answers again for shop.test from vantage default after 1 m 0 s down");

    a.rule = "serial_lag";
    z.newest_serial = 2026112203;
    CHECK(recovery_text(a, &z, t0 + 60s) ==
          "provider gamma serves the newest serial 2026112203 of shop.test again from vantage "
          "default, 1 m 0 s after its lag passed the threshold");
    a.rule = "resolution_failing";
    CHECK(recovery_text(a, &z, t0 + 5s) ==
          "resolution_failing no longer holds for shop.test "
          "after 5 s");
}
