// Small validators and normalisers for what a config names: domain names, IP literals, RR types
// and durations. (Provider globs are matched by delegation/providers.hpp, which owns
// classification.) Pure functions; the loader and the CLI (for names given on the command line)
// share them so both accept exactly the same spellings.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nswatch {

/// `name` lower-cased without its trailing dot, or nullopt with the reason in `*why`: empty or
/// over-long labels, characters other than letters, digits, '-' and '_', a label starting or
/// ending with '-', non-ASCII (IDNs must be written as A-labels), or the root itself.
/// A leading "*" label is allowed only when `allow_wildcard` is set.
std::optional<std::string> normalize_domain_name(std::string_view name, std::string* why,
                                                 bool allow_wildcard = false);

/// `text` as an IPv4 or IPv6 literal in canonical (inet_ntop) form, or nullopt. `family` 4 or 6
/// restricts it to that family; 0 accepts either.
std::optional<std::string> normalize_ip_literal(std::string_view text, int family = 0);

/// RR type number for a mnemonic of the watch table (A, AAAA, NS, SOA, MX, TXT, CNAME, CAA, SRV,
/// DS, DNSKEY, PTR, NAPTR, HTTPS, SVCB, TLSA), any case; nullopt for anything else.
std::optional<uint16_t> watch_type_from_name(std::string_view name);

/// Mnemonic of a type in the watch table, or "TYPEn" for any other.
std::string watch_type_name(uint16_t type);

/// Every mnemonic of the watch table, in a fixed order (for error messages and docs).
const std::vector<std::string_view>& watch_type_names();

/// A duration: a bare integer (seconds) or integer-unit pairs in decreasing unit order, units
/// ms, s, m, h, d ("500ms", "2s", "1h30m"). Throws std::invalid_argument with a reason.
std::chrono::milliseconds parse_duration(std::string_view text);

/// The shortest spelling parse_duration reads back to `d` ("1h30m", "1500ms", "0s").
std::string format_duration(std::chrono::milliseconds d);

/// The candidate closest to `word` by edit distance if it is close enough to be a likely typo
/// (for "did you mean"), else nullopt.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

}  // namespace nswatch
