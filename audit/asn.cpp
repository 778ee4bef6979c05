#include "audit/asn.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>
// Last: without <stdbool.h> ldns defines `bool` and `false` as macros, which break C++20 headers.
#include <ldns/ldns.h>

namespace nswatch {

namespace {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t");
    return s.substr(first, last - first + 1);
}

/// "127.62.1.0/24" -> 24; -1 when there is no usable length (then the line is least specific).
int prefix_length(std::string_view prefix) {
    const auto slash = prefix.find('/');
    if (slash == std::string_view::npos) return -1;
    const auto digits = prefix.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos)
        return -1;
    return std::stoi(std::string(digits));
}

/// The character-strings of one TXT rdata, concatenated (a long line may be split in several
/// strings). ldns reads the presentation form, quotes and escapes included.
std::optional<std::string> txt_text(const std::string& rdata, std::string& error) {
    ldns_rr* rr = nullptr;
    const std::string text = "x. 0 IN TXT " + rdata;
    const ldns_status st = ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr);
    if (st != LDNS_STATUS_OK || rr == nullptr) {
        error = "TXT rdata '" + rdata + "' does not parse: " + ldns_get_errorstr_by_id(st);
        return std::nullopt;
    }
    std::string out;
    for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
        const uint8_t* d = ldns_rdf_data(rdf);
        const size_t n = ldns_rdf_size(rdf);
        // A character-string on the wire: one length octet, then that many octets.
        if (n == 0 || d[0] + size_t{1} > n) continue;
        out.append(reinterpret_cast<const char*>(d + 1), d[0]);
    }
    ldns_rr_free(rr);
    return out;
}

}  // namespace

std::optional<std::string> asn_query_name(const std::string& address, const std::string& zone) {
    std::string suffix = zone;
    while (!suffix.empty() && suffix.back() == '.') suffix.pop_back();
    std::array<unsigned char, 16> b{};
    if (inet_pton(AF_INET, address.c_str(), b.data()) == 1) {
        return std::to_string(b[3]) + "." + std::to_string(b[2]) + "." + std::to_string(b[1]) +
               "." + std::to_string(b[0]) + "." + suffix;
    }
    if (inet_pton(AF_INET6, address.c_str(), b.data()) == 1) {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string name;
        for (int i = 15; i >= 0; --i) {
            name += kHex[b[i] & 0x0f];
            name += '.';
            name += kHex[b[i] >> 4];
            name += '.';
        }
        return name + suffix;
    }
    return std::nullopt;
}

AsnLookup parse_asn_line(std::string_view line) {
    AsnLookup out;
    // A TXT string may hold any octet; a line of this format holds printable text only.
    if (std::any_of(line.begin(), line.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return (u < 0x20 && c != '\t') || u == 0x7f;
        })) {
        out.error = "TXT line has control characters";
        return out;
    }
    const auto bar = line.find('|');
    const auto first = trim(line.substr(0, bar));
    if (bar != std::string_view::npos) {
        const auto rest = line.substr(bar + 1);
        out.prefix = std::string(trim(rest.substr(0, rest.find('|'))));
    }
    if (first.empty()) {
        out.error = "TXT '" + std::string(line) + "' has no AS number in its first field";
        out.prefix.clear();
        return out;
    }
    std::set<uint32_t> asns;
    size_t pos = 0;
    while (pos < first.size()) {
        const auto end = std::min(first.find_first_of(" \t", pos), first.size());
        const auto token = first.substr(pos, end - pos);
        pos = first.find_first_not_of(" \t", end);
        if (pos == std::string_view::npos) pos = first.size();
        // AS numbers are 32-bit (RFC 6793); AS0 marks an address nobody may originate (RFC 7607).
        const bool digits = !token.empty() && token.size() <= 10 &&
                            token.find_first_not_of("0123456789") == std::string_view::npos;
        const unsigned long long value = digits ? std::stoull(std::string(token)) : 0;
        if (!digits || value > 0xffffffffULL || value == 0) {
            out.error = "TXT '" + std::string(line) + "': '" + std::string(token) +
                        "' is not an AS number (1 to 4294967295)";
            out.prefix.clear();
            return out;
        }
        asns.insert(static_cast<uint32_t>(value));
    }
    out.asns.assign(asns.begin(), asns.end());
    return out;
}

AsnLookup asn_from_txt_rdata(const std::vector<std::string>& rdata) {
    AsnLookup best;
    int best_length = -2;
    std::vector<std::string> errors;
    for (const auto& r : rdata) {
        std::string error;
        const auto text = txt_text(r, error);
        if (!text) {
            errors.push_back(error);
            continue;
        }
        auto line = parse_asn_line(*text);
        if (line.asns.empty()) {
            errors.push_back(line.error);
            continue;
        }
        const int length = prefix_length(line.prefix);
        if (length > best_length) {
            best = std::move(line);
            best_length = length;
        } else if (length == best_length) {
            // Two records for one prefix: a multi-origin prefix written as two lines.
            std::set<uint32_t> merged(best.asns.begin(), best.asns.end());
            merged.insert(line.asns.begin(), line.asns.end());
            best.asns.assign(merged.begin(), merged.end());
        }
    }
    if (best.asns.empty()) {
        best = AsnLookup{};
        if (errors.empty()) {
            best.error = "no TXT record";
        } else {
            for (const auto& e : errors) best.error += (best.error.empty() ? "" : "; ") + e;
        }
    }
    return best;
}

}  // namespace nswatch
