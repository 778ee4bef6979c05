// The syntax of one HTTP listen address, shared by the config loader (which names the field in its
// error) and the server (which binds what `nswatch run --listen` gives, unchecked by the loader).
// Header-only so that config/ can use it without linking the exporter.
#pragma once

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nswatch {

struct ListenAddress {
    std::string host;   ///< an IP literal, without brackets
    bool ipv6 = false;  ///< host is an IPv6 literal
    uint16_t port = 0;  ///< 0 = the kernel picks one

    bool operator==(const ListenAddress&) const = default;
};

/// "127.0.0.1:10053", "0.0.0.0:10053", "[::1]:10053", "[::]:10053". Exactly one address: no list,
/// no hostname (a name could resolve to several addresses or change), no bare port (it would hide
/// which interfaces are exposed). nullopt when `text` is anything else.
inline std::optional<ListenAddress> parse_listen_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    const std::string_view port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; })) {
        return std::nullopt;
    }
    const unsigned long number = std::stoul(std::string(port));
    if (number > 65535) return std::nullopt;
    ListenAddress a;
    a.port = static_cast<uint16_t>(number);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        a.host = std::string(host.substr(1, host.size() - 2));
        a.ipv6 = true;
        in6_addr v6{};
        if (inet_pton(AF_INET6, a.host.c_str(), &v6) != 1) return std::nullopt;
        return a;
    }
    a.host = std::string(host);
    in_addr v4{};
    if (inet_pton(AF_INET, a.host.c_str(), &v4) != 1) return std::nullopt;
    return a;
}

/// The form an operator wrote: host:port, [v6]:port.
inline std::string to_string(const ListenAddress& a) {
    return (a.ipv6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

}  // namespace nswatch
