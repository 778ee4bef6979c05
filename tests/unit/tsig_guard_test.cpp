// Tests for dns/tsig_guard: the fudge window's edges and the replay memory on a virtual clock.
#include "dns/tsig_guard.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace nswatch;

namespace {

std::vector<uint8_t> mac(uint8_t fill) {
    return std::vector<uint8_t>(32, fill);
}

}  // namespace

TEST_CASE("tsig guard: the window is Time Signed plus or minus the fudge, edges included",
          "[tsig]") {
    const TsigSeconds signed_at = 1796000000;
    CHECK(tsig_time_ok(signed_at, signed_at, 300));
    CHECK(tsig_time_ok(signed_at + 300, signed_at, 300));
    CHECK(tsig_time_ok(signed_at - 300, signed_at, 300));
    CHECK_FALSE(tsig_time_ok(signed_at + 301, signed_at, 300));
    CHECK_FALSE(tsig_time_ok(signed_at - 301, signed_at, 300));
    CHECK(tsig_time_ok(signed_at, signed_at, 0));
    CHECK_FALSE(tsig_time_ok(signed_at + 1, signed_at, 0));
    // 2001 seen from 2026, and a year ahead.
    CHECK_FALSE(tsig_time_ok(signed_at, 1000000000, 300));
    CHECK_FALSE(tsig_time_ok(signed_at, signed_at + 365 * 86400, 300));
    // The largest fudge the wire carries.
    CHECK(tsig_time_ok(signed_at + 65535, signed_at, 65535));
}

TEST_CASE("tsig guard: tsig_seconds rounds down to whole seconds since the epoch", "[tsig]") {
    using namespace std::chrono;
    CHECK(tsig_seconds(system_clock::time_point(seconds(1796000000) + milliseconds(999))) ==
          1796000000);
}

TEST_CASE("tsig guard: a MAC is accepted once and refused until its window closes", "[tsig]") {
    TsigReplayMemory memory;
    const TsigSeconds now = 1796000000;
    const auto a = mac(0xAA);
    REQUIRE(memory.first_sighting("notify-key", a, now + 300, now));
    CHECK_FALSE(memory.first_sighting("notify-key", a, now + 300, now));
    CHECK_FALSE(memory.first_sighting("notify-key", a, now + 300, now + 300));  // edge: still open
    // The same MAC under another key is another message.
    CHECK(memory.first_sighting("other-key", a, now + 300, now));
    // Another MAC under the same key.
    CHECK(memory.first_sighting("notify-key", mac(0xBB), now + 300, now));
    CHECK(memory.size() == 3);
    // Once the window has closed the entries go (the time check refuses such a copy anyway).
    CHECK(memory.first_sighting("notify-key", mac(0xCC), now + 301 + 300, now + 301));
    CHECK(memory.size() == 1);
}

TEST_CASE("tsig guard: memory is bounded, at capacity the soonest to expire makes room", "[tsig]") {
    TsigReplayMemory memory(3);
    const TsigSeconds now = 1796000000;
    REQUIRE(memory.first_sighting("k", mac(1), now + 100, now));
    REQUIRE(memory.first_sighting("k", mac(2), now + 50, now));
    REQUIRE(memory.first_sighting("k", mac(3), now + 200, now));
    REQUIRE(memory.first_sighting("k", mac(4), now + 300, now));
    CHECK(memory.size() == 3);
    CHECK(memory.first_sighting("k", mac(2), now + 50, now));  // the one forgotten
    CHECK_FALSE(memory.first_sighting("k", mac(3), now + 200, now));
    CHECK_FALSE(memory.first_sighting("k", mac(4), now + 300, now));

    TsigReplayMemory big;
    for (int i = 0; i < 100000; ++i) {
        const std::vector<uint8_t> m{static_cast<uint8_t>(i), static_cast<uint8_t>(i >> 8),
                                     static_cast<uint8_t>(i >> 16)};
        REQUIRE(big.first_sighting("k", m, now + 300, now));
    }
    CHECK(big.size() == TsigReplayMemory::kDefaultCapacity);
}
