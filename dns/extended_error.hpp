// Extended DNS Errors (RFC 8914): the EDNS option (code 15) in which a server says why it failed
// or what is odd about its answer ("Prohibited", "No Reachable Authority", "Stale Answer"...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nswatch {

/// The EDNS option code of an Extended DNS Error.
inline constexpr uint16_t kEdnsOptionExtendedError = 15;

struct ExtendedError {
    uint16_t code = 0;  ///< INFO-CODE (the IANA registry of RFC 8914 §5.2)
    /// EXTRA-TEXT with control characters replaced by '?', at most kMaxExtendedErrorText bytes:
    /// it reaches logs, alert texts and the status page.
    std::string text;

    bool operator==(const ExtendedError&) const = default;
};

/// Longest EXTRA-TEXT kept (the rest is cut, "..." appended).
inline constexpr size_t kMaxExtendedErrorText = 200;

/// The registry's name of `code` ("Prohibited"), or "" for a code it does not list.
std::string_view extended_error_name(uint16_t code);

/// "EDE 18 (Prohibited): zone transfer only" — code, name when known, text when given.
std::string describe(const ExtendedError& e);

/// An ExtendedError from the option's payload (INFO-CODE then EXTRA-TEXT); nullopt-like false
/// when the payload is shorter than the 2-byte INFO-CODE.
bool parse_extended_error(const uint8_t* data, size_t size, ExtendedError& out);

}  // namespace nswatch
