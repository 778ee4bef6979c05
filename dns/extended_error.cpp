#include "dns/extended_error.hpp"

#include <array>

namespace nswatch {

namespace {
// RFC 8914 §5.2 and the IANA "Extended DNS Error Codes" registry, in code order from 0.
constexpr std::array<std::string_view, 30> kNames = {
    "Other Error",
    "Unsupported DNSKEY Algorithm",
    "Unsupported DS Digest Type",
    "Stale Answer",
    "Forged Answer",
    "DNSSEC Indeterminate",
    "DNSSEC Bogus",
    "Signature Expired",
    "Signature Not Yet Valid",
    "DNSKEY Missing",
    "RRSIGs Missing",
    "No Zone Key Bit Set",
    "NSEC Missing",
    "Cached Error",
    "Not Ready",
    "Blocked",
    "Censored",
    "Filtered",
    "Prohibited",
    "Stale NXDOMAIN Answer",
    "Not Authoritative",
    "Not Supported",
    "No Reachable Authority",
    "Network Error",
    "Invalid Data",
    "Signature Expired before Valid",
    "Too Early",
    "Unsupported NSEC3 Iterations Value",
    "Unable to conform to policy",
    "Synthesized",
};
}  // namespace

std::string_view extended_error_name(uint16_t code) {
    return code < kNames.size() ? kNames[code] : std::string_view{};
}

std::string describe(const ExtendedError& e) {
    std::string s = "EDE " + std::to_string(e.code);
    if (const auto name = extended_error_name(e.code); !name.empty()) {
        s += " (";
        s += name;
        s += ")";
    }
    if (!e.text.empty()) s += ": " + e.text;
    return s;
}

bool parse_extended_error(const uint8_t* data, size_t size, ExtendedError& out) {
    if (size < 2) return false;
    out.code = static_cast<uint16_t>((data[0] << 8) | data[1]);
    out.text.clear();
    // RFC 8914 §2: the text is UTF-8, possibly NUL-terminated by servers that should not.
    for (size_t i = 2; i < size; ++i) {
        if (out.text.size() == kMaxExtendedErrorText) {
            out.text += "...";
            break;
        }
        const uint8_t c = data[i];
        if (c == 0 && i + 1 == size) break;
        out.text += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
    return true;
}

}  // namespace nswatch
