// Tests for prober/log_limiter: one line per reason per interval on a virtual clock, the next line
// carrying the number held back.
#include "prober/log_limiter.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using namespace std::chrono_literals;

TEST_CASE("log limiter: the first line of a reason passes, a flood of it does not", "[log]") {
    LogLimiter limiter(10s);
    const LogLimiter::Clock::time_point t0{};
    uint64_t suppressed = 99;
    REQUIRE(limiter.allow(3, t0, suppressed));
    CHECK(suppressed == 0);
    int written = 0;
    for (int i = 0; i < 20000; ++i) {
        uint64_t s = 0;
        if (limiter.allow(3, t0 + 1ms * i / 4, s)) ++written;  // 20,000 within 5 s
    }
    CHECK(written == 0);
    // Another reason is not held back by the first.
    CHECK(limiter.allow(0, t0 + 1s, suppressed));
    CHECK(suppressed == 0);
    // One interval later the next line passes and says how many it stands for.
    CHECK_FALSE(limiter.allow(3, t0 + 10s - 1ns, suppressed));
    REQUIRE(limiter.allow(3, t0 + 10s, suppressed));
    CHECK(suppressed == 20001);
    // And the count starts again.
    CHECK_FALSE(limiter.allow(3, t0 + 11s, suppressed));
    REQUIRE(limiter.allow(3, t0 + 25s, suppressed));
    CHECK(suppressed == 1);
}

TEST_CASE("log limiter: a reason seen rarely is always logged, with nothing held", "[log]") {
    LogLimiter limiter(10s);
    const LogLimiter::Clock::time_point t0{};
    for (int i = 0; i < 5; ++i) {
        uint64_t suppressed = 7;
        CHECK(limiter.allow(1, t0 + 30s * i, suppressed));
        CHECK(suppressed == 0);
    }
}
