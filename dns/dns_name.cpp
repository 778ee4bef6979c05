#include "dns/dns_name.hpp"

#include <algorithm>
#include <cctype>

namespace nswatch {

namespace {

unsigned char ascii_lower(unsigned char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string canonical_name(std::string_view name) {
    while (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
    if (name.empty()) return std::string(1, '.');
    std::string out(name.size(), '\0');
    std::transform(name.begin(), name.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool in_bailiwick(std::string_view name, std::string_view zone) {
    const std::string n = canonical_name(name);
    const std::string z = canonical_name(zone);
    if (z == ".") return true;
    if (n == z) return true;
    return n.size() > z.size() && n.compare(n.size() - z.size(), z.size(), z) == 0 &&
           n[n.size() - z.size() - 1] == '.';
}

int label_count(std::string_view name) {
    const std::string n = canonical_name(name);
    if (n == ".") return 0;
    return static_cast<int>(std::count(n.begin(), n.end(), '.')) + 1;
}

bool same_dns_name(std::string_view a, std::string_view b) {
    if (!a.empty() && a.back() == '.') a.remove_suffix(1);
    if (!b.empty() && b.back() == '.') b.remove_suffix(1);
    if (a.size() != b.size()) return false;
    // Names compared here are mostly canonical already (lower case): equal octets answer at once.
    // Otherwise ASCII case folding, which is std::tolower's in the "C" locale nswatch runs in
    // (RFC 4343: DNS names are case-insensitive in ASCII only), without a call per octet.
    if (a == b) return true;
    return std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
        return ascii_lower(x) == ascii_lower(y);
    });
}

}  // namespace nswatch
