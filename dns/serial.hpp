// RFC 1982 serial number arithmetic for 32-bit SOA serials (CONS-SERIAL in docs/AUDIT-CHECKS.md).
// Pure functions: no I/O, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace nswatch {

/// How serial `a` relates to serial `b` under RFC 1982 §3.2 (SERIAL_BITS = 32).
enum class SerialOrder {
    equal,      ///< a == b
    less,       ///< a is older than b (b is ahead of a by less than 2^31)
    greater,    ///< a is newer than b (a is ahead of b by less than 2^31)
    undefined,  ///< a and b are exactly 2^31 apart: RFC 1982 leaves the order undefined
};

std::string_view to_string(SerialOrder o);

/// Compare two serials: s1 < s2 iff (i1 < i2 and i2 - i1 < 2^31) or (i1 > i2 and i1 - i2 > 2^31).
/// Returns how `a` relates to `b`.
SerialOrder compare_serials(uint32_t a, uint32_t b);

/// How far `to` is ahead of `from` (1 .. 2^31-1), or nullopt when `to` is not ahead of `from`
/// (equal, older, or exactly 2^31 away).
std::optional<uint32_t> serial_distance(uint32_t from, uint32_t to);

/// The serial that is greater than or equal to every serial in the set, or nullopt when there is no
/// such element: the set is empty, two serials are exactly 2^31 apart, or the serials are spread
/// over more than half the number space so that the (non-transitive) RFC 1982 order has no maximum.
std::optional<uint32_t> newest_serial(std::span<const uint32_t> serials);

/// The serial that is less than or equal to every serial in the set; nullopt for the same reasons
/// as newest_serial.
std::optional<uint32_t> oldest_serial(std::span<const uint32_t> serials);

}  // namespace nswatch
