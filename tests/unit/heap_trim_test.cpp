#include "monitor/heap_trim.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace nswatch;
using namespace std::chrono_literals;

namespace {
const HeapTrimPolicy::Clock::time_point t0 = HeapTrimPolicy::Clock::time_point{} + 1h;
}

TEST_CASE("heap trim: only after rounds finished since the last trim", "[heap_trim]") {
    HeapTrimPolicy p(10s, 10min);
    p.trimmed(t0, 5);
    CHECK_FALSE(p.due(t0 + 1h, 5, true));  // no round since: nothing new was freed
    CHECK(p.due(t0 + 1h, 6, true));
}

TEST_CASE("heap trim: when idle, at most every idle gap", "[heap_trim]") {
    HeapTrimPolicy p(10s, 10min);
    p.trimmed(t0, 1);
    CHECK_FALSE(p.due(t0 + 9s, 2, true));
    CHECK(p.due(t0 + 10s, 2, true));
    p.trimmed(t0 + 10s, 2);
    CHECK_FALSE(p.due(t0 + 15s, 3, true));
    CHECK(p.due(t0 + 20s, 3, true));
}

TEST_CASE("heap trim: a loop never idle still trims every busy gap", "[heap_trim]") {
    HeapTrimPolicy p(10s, 10min);
    p.trimmed(t0, 1);
    CHECK_FALSE(p.due(t0 + 5min, 100, false));
    CHECK(p.due(t0 + 10min, 100, false));
}

TEST_CASE("heap trim: the first trim is due once a round finished", "[heap_trim]") {
    const HeapTrimPolicy p;
    CHECK_FALSE(p.due(t0, 0, true));
    CHECK(p.due(t0, 1, true));
}

TEST_CASE("heap trim: releasing free heap does not disturb live allocations", "[heap_trim]") {
    // Free a large spread of small blocks in the middle of the heap, keep others, trim, and check
    // that what is kept is intact (malloc_trim only hands back whole free pages).
    std::vector<std::vector<char>> blocks;
    for (int i = 0; i < 20000; ++i) blocks.emplace_back(200, static_cast<char>(i % 127));
    for (size_t i = 0; i < blocks.size(); i += 2) std::vector<char>().swap(blocks[i]);
    release_free_heap();
    for (size_t i = 1; i < blocks.size(); i += 2) {
        REQUIRE(blocks[i].size() == 200);
        REQUIRE(blocks[i][199] == static_cast<char>(i % 127));
    }
}
