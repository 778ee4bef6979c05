#include "monitor/visit_batch.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <vector>

using namespace nswatch;
using namespace std::chrono_literals;
using Clock = VisitBatch::Clock;

namespace {
const Clock::time_point t0 = Clock::time_point{} + 1h;

/// The monitor's loop on a virtual clock: sleep until wake_for(the earliest due visit), then
/// visit every one due up to horizon(now). Returns when each visit (by its due time, in ms after
/// t0) was made, in ms after t0.
std::map<long, long> run_schedule(std::vector<long> due_ms, Clock::duration window) {
    VisitBatch batch;
    std::multimap<Clock::time_point, long> due;
    for (const long d : due_ms) due.emplace(t0 + std::chrono::milliseconds(d), d);
    std::map<long, long> started;
    while (!due.empty()) {
        const Clock::time_point now = batch.wake_for(due.begin()->first);
        const auto horizon = batch.horizon(now);
        bool any = false;
        while (!due.empty() && due.begin()->first <= horizon) {
            started[due.begin()->second] =
                std::chrono::duration_cast<std::chrono::milliseconds>(now - t0).count();
            due.erase(due.begin());
            any = true;
        }
        REQUIRE(any);  // every wake-up visits something: the loop never spins
        batch.visited(now, any, window);
    }
    return started;
}
}  // namespace

TEST_CASE("visit batch: the window is 1/60 of the interval, at most 1 s", "[visit_batch]") {
    CHECK(VisitBatch::window_for(60s) == 1s);
    CHECK(VisitBatch::window_for(12s) == 200ms);
    CHECK(VisitBatch::window_for(1h) == 1s);
    CHECK(VisitBatch::window_for(600ms) == 10ms);
}

TEST_CASE("visit batch: rounds due within a window of the batch start with the next batch",
          "[visit_batch]") {
    // Rounds due at 0, 60, 120, ... 1,100 ms at a 60 s interval (1 s window): the first opens a
    // batch at 0; the ones due in (0, 1000] wait for the batch at 1,000 ms, which takes every
    // round due by then; the one due at 1,100 opens its own batch at 2,000 ms, not earlier.
    const auto started =
        run_schedule({0, 60, 120, 500, 999, 1000, 1100}, VisitBatch::window_for(60s));
    CHECK(
        started ==
        std::map<long, long>{
            {0, 0}, {60, 1000}, {120, 1000}, {500, 1000}, {999, 1000}, {1000, 1000}, {1100, 2000}});
}

TEST_CASE("visit batch: a round due after a quiet stretch starts on time", "[visit_batch]") {
    // Nothing due between 0 and 5 s: the round due at 5 s is not held back by the last window.
    const auto started = run_schedule({0, 5000, 5300, 9000}, 1s);
    CHECK(started == std::map<long, long>{{0, 0}, {5000, 5000}, {5300, 6000}, {9000, 9000}});
}

TEST_CASE("visit batch: a visit due by the last batch is not held back", "[visit_batch]") {
    VisitBatch b;
    b.visited(t0, true, 1s);
    // A discovery ends 50 ms later and wants the zone's round now, due at t0: it goes at once.
    CHECK(b.horizon(t0 + 50ms) == t0);
    CHECK(b.wake_for(t0) == t0);
    // A round due at t0 + 20 ms waits for the next batch.
    CHECK(b.wake_for(t0 + 20ms) == t0 + 1s);
    CHECK(b.horizon(t0 + 999ms) == t0);
    CHECK(b.horizon(t0 + 1s) == t0 + 1s);
}

TEST_CASE("visit batch: only a batch that visited something opens a window", "[visit_batch]") {
    VisitBatch b;
    b.visited(t0, false, 1s);  // only superseded entries: no round started
    CHECK(b.horizon(t0 + 10ms) == t0 + 10ms);
    b.visited(t0 + 10ms, true, 1s);
    CHECK(b.horizon(t0 + 20ms) == t0 + 10ms);
    b.reset();  // a reload
    CHECK(b.horizon(t0 + 20ms) == t0 + 20ms);
}
