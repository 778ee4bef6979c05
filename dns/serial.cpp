// IMPLEMENTATION NOTES
// RFC 1982 compares serials on a circle of 2^32 values. Computing the forward distance
// d = (b - a) mod 2^32 with unsigned wrap-around gives the whole rule in one subtraction:
//   d == 0        -> equal
//   d <  2^31     -> a < b   (b is ahead of a by less than half the circle)
//   d >  2^31     -> a > b   (a is ahead of b, going the other way round)
//   d == 2^31     -> undefined (the RFC deliberately leaves exactly-opposite serials unordered)
// The order is not transitive (0 < 2^30 < 2^31+2^30 < 0), so "the newest serial" is only defined
// when one element is >= every other one. newest_serial finds the only possible candidate in one
// pass (whenever a maximum M exists, M compares greater than any earlier candidate, and nothing
// after M compares greater than M), then checks it against every element in a second pass. A
// maximum, when it exists, is unique and implies that every serial lies within 2^31 - 1 behind it.
#include "dns/serial.hpp"

namespace nswatch {

namespace {

constexpr uint32_t kHalf = 0x80000000u;  // 2^31: half of the serial number space

/// The element that relates to every element as `Wanted` or equal (greater: newest, less: oldest).
template <SerialOrder Wanted>
std::optional<uint32_t> extreme_serial(std::span<const uint32_t> serials) {
    if (serials.empty()) {
        return std::nullopt;
    }
    uint32_t candidate = serials.front();
    for (uint32_t s : serials) {
        if (compare_serials(s, candidate) == Wanted) {
            candidate = s;
        }
    }
    for (uint32_t s : serials) {
        SerialOrder o = compare_serials(candidate, s);
        if (o != SerialOrder::equal && o != Wanted) {
            return std::nullopt;
        }
    }
    return candidate;
}

}  // namespace

std::string_view to_string(SerialOrder o) {
    switch (o) {
        case SerialOrder::equal:
            return "equal";
        case SerialOrder::less:
            return "less";
        case SerialOrder::greater:
            return "greater";
        case SerialOrder::undefined:
            return "undefined";
    }
    return "?";
}

SerialOrder compare_serials(uint32_t a, uint32_t b) {
    const uint32_t forward = b - a;  // unsigned: wraps modulo 2^32 by definition
    if (forward == 0) {
        return SerialOrder::equal;
    }
    if (forward < kHalf) {
        return SerialOrder::less;
    }
    if (forward > kHalf) {
        return SerialOrder::greater;
    }
    return SerialOrder::undefined;
}

std::optional<uint32_t> serial_distance(uint32_t from, uint32_t to) {
    if (compare_serials(from, to) != SerialOrder::less) {
        return std::nullopt;
    }
    return to - from;
}

std::optional<uint32_t> newest_serial(std::span<const uint32_t> serials) {
    return extreme_serial<SerialOrder::greater>(serials);
}

std::optional<uint32_t> oldest_serial(std::span<const uint32_t> serials) {
    return extreme_serial<SerialOrder::less>(serials);
}

}  // namespace nswatch
