#include "dns/dns_name.hpp"

#include <algorithm>
#include <cctype>

namespace nswatch {

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
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

}  // namespace nswatch
