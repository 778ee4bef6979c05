// Tests for dns/serial.cpp: RFC 1982 serial arithmetic on 32-bit SOA serials.
#include "dns/serial.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <vector>

namespace Catch {
template <>
struct StringMaker<nswatch::SerialOrder> {
    static std::string convert(nswatch::SerialOrder o) {
        return std::string(nswatch::to_string(o));
    }
};
}  // namespace Catch

using nswatch::compare_serials;
using nswatch::newest_serial;
using nswatch::oldest_serial;
using nswatch::serial_distance;
using nswatch::SerialOrder;

namespace {
constexpr uint32_t kHalf = 0x80000000u;  // 2^31
}

TEST_CASE("compare_serials: equal, less and greater without wrap-around", "[serial]") {
    CHECK(compare_serials(0, 0) == SerialOrder::equal);
    CHECK(compare_serials(2024010101, 2024010101) == SerialOrder::equal);
    CHECK(compare_serials(0xFFFFFFFFu, 0xFFFFFFFFu) == SerialOrder::equal);
    CHECK(compare_serials(1, 2) == SerialOrder::less);
    CHECK(compare_serials(2, 1) == SerialOrder::greater);
    CHECK(compare_serials(2024010101, 2024010102) == SerialOrder::less);
    CHECK(compare_serials(2024010102, 2024010101) == SerialOrder::greater);
}

TEST_CASE("compare_serials: wrap-around past 2^32 - 1", "[serial]") {
    CHECK(compare_serials(0xFFFFFFFFu, 0) == SerialOrder::less);
    CHECK(compare_serials(0, 0xFFFFFFFFu) == SerialOrder::greater);
    CHECK(compare_serials(0xFFFFFFF0u, 5) == SerialOrder::less);
    CHECK(compare_serials(5, 0xFFFFFFF0u) == SerialOrder::greater);
    CHECK(compare_serials(0xFFFFFFFFu, 0x7FFFFFFEu) == SerialOrder::less);  // 2^31 - 1 ahead
}

TEST_CASE("compare_serials: exactly 2^31 apart is undefined, both ways", "[serial]") {
    CHECK(compare_serials(0, kHalf) == SerialOrder::undefined);
    CHECK(compare_serials(kHalf, 0) == SerialOrder::undefined);
    CHECK(compare_serials(5, kHalf + 5) == SerialOrder::undefined);
    CHECK(compare_serials(0xFFFFFFFFu, 0x7FFFFFFFu) == SerialOrder::undefined);
    CHECK(compare_serials(0x7FFFFFFFu, 0xFFFFFFFFu) == SerialOrder::undefined);
}

TEST_CASE("compare_serials: the edges around 2^31", "[serial]") {
    // i2 - i1 = 2^31 - 1 < 2^31: s1 < s2.
    CHECK(compare_serials(0, kHalf - 1) == SerialOrder::less);
    CHECK(compare_serials(kHalf - 1, 0) == SerialOrder::greater);
    // i2 - i1 = 2^31 + 1 > 2^31: going forward is more than half, so s2 is behind s1.
    CHECK(compare_serials(0, kHalf + 1) == SerialOrder::greater);
    CHECK(compare_serials(kHalf + 1, 0) == SerialOrder::less);
}

TEST_CASE("compare_serials is antisymmetric and agrees with the RFC 1982 formula", "[serial]") {
    const std::array<uint32_t, 12> samples = {0,           1,           5,           1000,
                                              kHalf - 1,   kHalf,       kHalf + 1,   kHalf + 5,
                                              0xC0000000u, 0xFFFFFFF0u, 0xFFFFFFFEu, 0xFFFFFFFFu};
    for (uint32_t a : samples) {
        for (uint32_t b : samples) {
            const SerialOrder ab = compare_serials(a, b);
            const SerialOrder ba = compare_serials(b, a);
            // The formula exactly as RFC 1982 §3.2 writes it, in 64-bit arithmetic.
            const uint64_t i1 = a;
            const uint64_t i2 = b;
            const bool less = (i1 < i2 && i2 - i1 < kHalf) || (i1 > i2 && i1 - i2 > kHalf);
            const bool greater = (i1 < i2 && i2 - i1 > kHalf) || (i1 > i2 && i1 - i2 < kHalf);
            INFO("a=" << a << " b=" << b);
            CHECK((ab == SerialOrder::less) == less);
            CHECK((ab == SerialOrder::greater) == greater);
            CHECK((ab == SerialOrder::equal) == (a == b));
            if (ab == SerialOrder::less) CHECK(ba == SerialOrder::greater);
            if (ab == SerialOrder::greater) CHECK(ba == SerialOrder::less);
            if (ab == SerialOrder::undefined) CHECK(ba == SerialOrder::undefined);
        }
    }
}

TEST_CASE("serial_distance: how far `to` is ahead of `from`", "[serial]") {
    CHECK(serial_distance(1, 2) == 1u);
    CHECK(serial_distance(2024010101, 2024010199) == 98u);
    CHECK(serial_distance(0xFFFFFFFFu, 0) == 1u);
    CHECK(serial_distance(0xFFFFFFF0u, 5) == 21u);
    SECTION("large distances up to 2^31 - 1") {
        CHECK(serial_distance(0, kHalf - 1) == kHalf - 1);
        CHECK(serial_distance(0xFFFFFFFFu, 0x7FFFFFFEu) == kHalf - 1);
        CHECK(serial_distance(1000, 1000 + 0x40000000u) == 0x40000000u);
    }
    SECTION("not ahead: equal, behind or undefined") {
        CHECK_FALSE(serial_distance(7, 7).has_value());
        CHECK_FALSE(serial_distance(2, 1).has_value());
        CHECK_FALSE(serial_distance(0, 0xFFFFFFFFu).has_value());
        CHECK_FALSE(serial_distance(0, kHalf).has_value());
        CHECK_FALSE(serial_distance(0, kHalf + 1).has_value());
    }
}

TEST_CASE("newest_serial: ordinary sets", "[serial]") {
    const std::vector<uint32_t> one = {42};
    CHECK(newest_serial(one) == 42u);
    const std::vector<uint32_t> dates = {2024010101, 2024010103, 2024010102};
    CHECK(newest_serial(dates) == 2024010103u);
    const std::vector<uint32_t> same = {9, 9, 9};
    CHECK(newest_serial(same) == 9u);
}

TEST_CASE("newest_serial: the empty set has no newest serial", "[serial]") {
    const std::vector<uint32_t> none;
    CHECK_FALSE(newest_serial(none).has_value());
    CHECK_FALSE(oldest_serial(none).has_value());
}

TEST_CASE("newest_serial: with wrap-around, in every order", "[serial]") {
    std::vector<uint32_t> serials = {0xFFFFFFF0u, 5, 0xFFFFFFFFu, 0, 3};
    std::sort(serials.begin(), serials.end());
    do {
        CHECK(newest_serial(serials) == 5u);
        CHECK(oldest_serial(serials) == 0xFFFFFFF0u);
    } while (std::next_permutation(serials.begin(), serials.end()));
}

TEST_CASE("newest_serial: a window just under 2^31 still has a newest serial", "[serial]") {
    const std::vector<uint32_t> serials = {0xF0000000u, 0x10000000u, 0x6FFFFFFFu};
    CHECK(newest_serial(serials) == 0x6FFFFFFFu);
    CHECK(oldest_serial(serials) == 0xF0000000u);
}

TEST_CASE("newest_serial: no maximum when the order is undefined or not total", "[serial]") {
    SECTION("two serials exactly 2^31 apart") {
        const std::vector<uint32_t> serials = {0, kHalf};
        CHECK_FALSE(newest_serial(serials).has_value());
        CHECK_FALSE(oldest_serial(serials).has_value());
    }
    SECTION("an undefined pair with the would-be maximum") {
        const std::vector<uint32_t> serials = {10, 20, 20 + kHalf};
        CHECK_FALSE(newest_serial(serials).has_value());
    }
    SECTION("serials spread round the circle: 0 < 0x60000000 < 0xC0000000 < 0") {
        std::vector<uint32_t> serials = {0, 0x60000000u, 0xC0000000u};
        std::sort(serials.begin(), serials.end());
        do {
            CHECK_FALSE(newest_serial(serials).has_value());
            CHECK_FALSE(oldest_serial(serials).has_value());
        } while (std::next_permutation(serials.begin(), serials.end()));
    }
}
