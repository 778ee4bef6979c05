// Tests for catalog/refresh_schedule: when the catalog is transferred next, on a virtual clock.
#include "catalog/refresh_schedule.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using namespace std::chrono_literals;

TEST_CASE("due at start, then at the SOA refresh after a success", "[catalog]") {
    const RefreshSchedule::Time t0{};
    RefreshSchedule s(t0);
    CHECK(s.due(t0));
    s.started(t0);
    s.succeeded(t0 + 1s, 300, 60);
    CHECK(!s.due(t0 + 300s));
    CHECK(s.due(t0 + 301s));
}

TEST_CASE("a failure retries at the SOA retry of the last good copy", "[catalog]") {
    const RefreshSchedule::Time t0{};
    RefreshSchedule s(t0);
    s.failed(t0);
    CHECK(s.next() == t0 + RefreshSchedule::kDefaultRetry);
    s.succeeded(t0 + 60s, 3600, 30);
    s.failed(t0 + 100s);
    CHECK(s.next() == t0 + 130s);
}

TEST_CASE("SOA timers are clamped", "[catalog]") {
    const RefreshSchedule::Time t0{};
    RefreshSchedule s(t0);
    s.succeeded(t0, 0, 0);
    CHECK(s.next() == t0 + RefreshSchedule::kMinRefresh);
    s.failed(t0);
    CHECK(s.next() == t0 + RefreshSchedule::kMinRetry);
    s.succeeded(t0, 4000000000u, 4000000000u);
    CHECK(s.next() == t0 + RefreshSchedule::kMaxRefresh);
    s.failed(t0);
    CHECK(s.next() == t0 + RefreshSchedule::kMaxRetry);
}

TEST_CASE("a NOTIFY makes the transfer due at once, a flood at most once a second", "[catalog]") {
    const RefreshSchedule::Time t0{};
    RefreshSchedule s(t0);
    s.started(t0);
    s.succeeded(t0, 3600, 60);
    s.notified(t0 + 10s);
    CHECK(s.due(t0 + 10s));
    s.started(t0 + 10s);
    s.succeeded(t0 + 10s, 3600, 60);
    s.notified(t0 + 10s + 200ms);
    CHECK(!s.due(t0 + 10s + 200ms));
    CHECK(s.next() == t0 + 11s);
    // A NOTIFY never postpones a transfer already due sooner.
    s.failed(t0 + 10s + 300ms);
    CHECK(s.next() == t0 + 70s + 300ms);
    s.started(t0 + 70s + 300ms);
    s.failed(t0 + 70s + 400ms);
    s.notified(t0 + 70s + 500ms);
    CHECK(s.next() == t0 + 71s + 300ms);
}
