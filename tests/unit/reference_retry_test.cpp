// TransferRetry: a failed reference transfer is tried again after a wait that doubles from the
// round interval up to the cap, on a virtual clock; a success starts over.
#include "zonediff/reference_retry.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace nswatch;
using namespace std::chrono_literals;
using Clock = TransferRetry::Clock;

TEST_CASE("transfer retry: the cap is `every`, at most an hour, at least one interval",
          "[reference]") {
    CHECK(transfer_retry_cap(60s, 30min) == 30min);
    CHECK(transfer_retry_cap(60s, 7 * 24h) == 1h);
    CHECK(transfer_retry_cap(10min, 1min) == 10min);
}

TEST_CASE("transfer retry: failures 1..n wait 1, 2, 4, ... intervals, then the cap",
          "[reference]") {
    const Clock::time_point t0{};
    TransferRetry retry;
    CHECK(retry.due(t0));
    // One round a minute, the cap 30 min: a primary that refuses every attempt is asked at these
    // minutes (the first attempt at 0).
    const std::vector<int> expected_attempts = {0, 1, 3, 7, 15, 31, 61, 91, 121};
    std::vector<int> attempts;
    for (int minute = 0; minute <= 121; ++minute) {
        const auto now = t0 + std::chrono::minutes(minute);
        if (!retry.due(now)) continue;
        attempts.push_back(minute);
        retry.failed(now, 1min, 30min);
    }
    CHECK(attempts == expected_attempts);
    CHECK(retry.failures() == 9);
    CHECK(retry.next() == t0 + 151min);
    CHECK(transfer_retry_delay(1, 1min, 30min) == 1min);
    CHECK(transfer_retry_delay(5, 1min, 30min) == 16min);
    CHECK(transfer_retry_delay(6, 1min, 30min) == 30min);
    CHECK(transfer_retry_delay(UINT32_MAX, 1min, 30min) == 30min);  // no overflow
}

TEST_CASE("transfer retry: a success starts over from one interval", "[reference]") {
    const Clock::time_point t0{};
    TransferRetry retry;
    retry.failed(t0, 1min, 1h);
    retry.failed(t0 + 1min, 1min, 1h);
    CHECK(retry.failed(t0 + 3min, 1min, 1h) == t0 + 7min);
    CHECK_FALSE(retry.due(t0 + 6min));
    CHECK(retry.due(t0 + 7min));
    retry.succeeded();
    CHECK(retry.failures() == 0);
    CHECK_FALSE(retry.next());
    CHECK(retry.due(t0 + 7min));
    CHECK(retry.failed(t0 + 20min, 1min, 1h) == t0 + 21min);
    CHECK(retry.failures() == 1);
}

TEST_CASE("transfer retry: the error names the last failure and the next attempt", "[reference]") {
    const auto next = std::chrono::system_clock::from_time_t(1796567405);  // 2026-12-06T14:30:05Z
    CHECK(transfer_retry_text("the server answered REFUSED", 3, next) ==
          "the server answered REFUSED; next attempt at 2026-12-06T14:30:05Z (failure 3 in a row)");
    // A fraction of a second is rounded up: the attempt is never earlier than the time shown.
    CHECK_THAT(transfer_retry_text("e", 1, next + 300ms), Catch::Contains("14:30:06Z"));
}
