// ProbeEngine::wake from another thread ends a run_once that is waiting.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "prober/engine.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

TEST_CASE("engine: wake() from another thread ends a waiting run_once", "[engine]") {
    ProbeEngine engine;
    std::thread waker([&engine] {
        std::this_thread::sleep_for(100ms);
        engine.wake();
    });
    const auto start = std::chrono::steady_clock::now();
    engine.run_once(10s);
    const auto waited = std::chrono::steady_clock::now() - start;
    waker.join();
    CHECK(waited >= 90ms);
    CHECK(waited < 5s);
    // A wake-up before the wait is not lost: the next run_once returns at once.
    engine.wake();
    const auto again = std::chrono::steady_clock::now();
    engine.run_once(10s);
    CHECK(std::chrono::steady_clock::now() - again < 5s);
}
