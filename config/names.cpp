#include "config/names.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <stdexcept>

namespace nswatch {
namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

bool fail(std::string* why, std::string reason) {
    if (why != nullptr) *why = std::move(reason);
    return false;
}

// Host-name rules (RFC 1123) plus '_', which service labels (_dmarc, _443._tcp) need.
bool check_label(std::string_view label, bool wildcard_ok, std::string* why) {
    if (label.empty())
        return fail(why, "it has an empty label (two dots in a row, or a leading dot)");
    if (label.size() > 63) {
        return fail(why, "label '" + std::string(label) + "' is longer than 63 characters");
    }
    if (label == "*") {
        return wildcard_ok || fail(why, "'*' is only allowed as the first label of a watched name");
    }
    for (char c : label) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            return fail(why,
                        "it contains non-ASCII characters: write internationalised names in their "
                        "A-label (xn--) form");
        }
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
            return fail(why, std::string("character '") + c +
                                 "' is not allowed (letters, digits, "
                                 "'-' and '_' only)");
        }
    }
    if (label.front() == '-' || label.back() == '-') {
        return fail(why, "label '" + std::string(label) + "' starts or ends with '-'");
    }
    return true;
}

// The watch table: the types whose answers are worth comparing across providers.
struct TypeEntry {
    std::string_view name;
    uint16_t number;
};
constexpr std::array<TypeEntry, 16> kWatchTypes{{
    {"A", 1},
    {"AAAA", 28},
    {"NS", 2},
    {"SOA", 6},
    {"MX", 15},
    {"TXT", 16},
    {"CNAME", 5},
    {"CAA", 257},
    {"SRV", 33},
    {"DS", 43},
    {"DNSKEY", 48},
    {"PTR", 12},
    {"NAPTR", 35},
    {"HTTPS", 65},
    {"SVCB", 64},
    {"TLSA", 52},
}};

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::optional<std::string> normalize_domain_name(std::string_view name, std::string* why,
                                                 bool allow_wildcard) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty()) {
        fail(why, "it is empty (the root '.' cannot be used here)");
        return std::nullopt;
    }
    // 253 presentation characters without the trailing dot = 255 octets on the wire.
    if (name.size() > 253) {
        fail(why, "it is longer than 253 characters");
        return std::nullopt;
    }
    size_t start = 0;
    bool first = true;
    while (true) {
        size_t dot = name.find('.', start);
        std::string_view label = name.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (!check_label(label, allow_wildcard && first, why)) return std::nullopt;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
        first = false;
    }
    return to_lower(name);
}

std::optional<std::string> normalize_ip_literal(std::string_view text, int family) {
    std::string s(text);
    char buffer[INET6_ADDRSTRLEN];
    if (family != 6) {
        in_addr v4{};
        if (inet_pton(AF_INET, s.c_str(), &v4) == 1 &&
            inet_ntop(AF_INET, &v4, buffer, sizeof buffer) != nullptr) {
            return std::string(buffer);
        }
    }
    if (family != 4) {
        in6_addr v6{};
        if (inet_pton(AF_INET6, s.c_str(), &v6) == 1 &&
            inet_ntop(AF_INET6, &v6, buffer, sizeof buffer) != nullptr) {
            return std::string(buffer);
        }
    }
    return std::nullopt;
}

std::optional<uint16_t> watch_type_from_name(std::string_view name) {
    for (const auto& entry : kWatchTypes) {
        if (entry.name.size() == name.size() &&
            std::equal(name.begin(), name.end(), entry.name.begin(),
                       [](char a, char b) { return lower(a) == lower(b); })) {
            return entry.number;
        }
    }
    return std::nullopt;
}

std::string watch_type_name(uint16_t type) {
    for (const auto& entry : kWatchTypes) {
        if (entry.number == type) return std::string(entry.name);
    }
    return "TYPE" + std::to_string(type);
}

const std::vector<std::string_view>& watch_type_names() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> out;
        for (const auto& entry : kWatchTypes) out.push_back(entry.name);
        return out;
    }();
    return names;
}

std::chrono::milliseconds parse_duration(std::string_view text) {
    constexpr std::string_view kExpected =
        "expected a whole number followed by a unit (ms, s, m, h, d), e.g. 500ms, 2s, 5m, 1h30m; "
        "a bare number means seconds";
    if (text.empty()) throw std::invalid_argument("empty duration: " + std::string(kExpected));
    if (text.front() == '-') throw std::invalid_argument("durations cannot be negative");
    if (text.front() == '+') text.remove_prefix(1);

    // Units from largest to smallest: a spelling must use them in this order, each at most once.
    struct Unit {
        std::string_view suffix;
        int64_t ms;
    };
    constexpr std::array<Unit, 5> kUnits{
        {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}}};
    // Far beyond any sensible setting, and well inside int64 milliseconds.
    constexpr int64_t kMaxMs = int64_t{100} * 365 * 86'400'000;

    int64_t total = 0;
    size_t next_unit = 0;
    size_t i = 0;
    while (i < text.size()) {
        size_t digits_begin = i;
        int64_t value = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            value = value * 10 + (text[i] - '0');
            if (value > kMaxMs) throw std::invalid_argument("duration is too long");
            ++i;
        }
        if (i == digits_begin) {
            throw std::invalid_argument(std::string(kExpected));
        }
        if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
            throw std::invalid_argument(
                "fractions are not supported: use a smaller unit instead (1500ms, not 1.5s)");
        }
        size_t unit_begin = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        std::string_view suffix = text.substr(unit_begin, i - unit_begin);
        if (suffix.empty()) {
            // A bare number is seconds, but only on its own: "1h30" is more likely a slip.
            if (digits_begin == 0 && i == text.size()) return std::chrono::seconds(value);
            throw std::invalid_argument(
                i < text.size() ? "unexpected character '" + std::string(1, text[i]) +
                                      "': " + std::string(kExpected)
                                : "number without a unit at the end: " + std::string(kExpected));
        }
        size_t u = next_unit;
        while (u < kUnits.size() && kUnits[u].suffix != suffix) ++u;
        if (u == kUnits.size()) {
            bool known = std::any_of(kUnits.begin(), kUnits.end(),
                                     [&](const Unit& unit) { return unit.suffix == suffix; });
            throw std::invalid_argument(
                known ? "units must go from largest to smallest, each once (e.g. 1h30m)"
                      : "unknown unit '" + std::string(suffix) + "': " + std::string(kExpected));
        }
        next_unit = u + 1;
        if (value > (kMaxMs - total) / kUnits[u].ms) {
            throw std::invalid_argument("duration is too long");
        }
        total += value * kUnits[u].ms;
    }
    return std::chrono::milliseconds(total);
}

std::string format_duration(std::chrono::milliseconds d) {
    int64_t ms = d.count();
    if (ms == 0) return "0s";
    std::string sign;
    if (ms < 0) {
        sign = "-";
        ms = -ms;
    }
    // Sub-second parts read better as one number of ms ("1500ms") than as "1s500ms".
    if (ms % 1000 != 0) return sign + std::to_string(ms) + "ms";
    std::string out = sign;
    int64_t s = ms / 1000;
    const std::array<std::pair<int64_t, const char*>, 4> parts{
        {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}};
    for (const auto& [size, suffix] : parts) {
        if (s >= size) {
            out += std::to_string(s / size) + suffix;
            s %= size;
        }
    }
    return out;
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates) {
    // Up to a third of the word may differ (at most 2 edits): "timout" finds "timeout", but
    // "ns" does not find "nsid".
    size_t allowed = std::clamp<size_t>(word.size() / 3, 1, 2);
    std::optional<std::string> best;
    size_t best_distance = std::numeric_limits<size_t>::max();
    for (auto candidate : candidates) {
        size_t distance = edit_distance(word, candidate);
        if (distance <= allowed && distance < best_distance) {
            best = std::string(candidate);
            best_distance = distance;
        }
    }
    return best;
}

}  // namespace nswatch
