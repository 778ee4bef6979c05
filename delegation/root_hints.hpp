// Root hints: where iterative resolution starts. Built in (IANA's root servers) so that nswatch
// never depends on a system resolver; a file in named.root format replaces them (a private root).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nswatch {

struct RootServer {
    std::string name;                    ///< e.g. "a.root-servers.net"
    std::vector<std::string> addresses;  ///< IPv4 and IPv6 literals
};

/// IANA's 13 root servers (named.root as published by IANA).
std::vector<RootServer> builtin_root_hints();

/// Parse named.root format: ". NS name" records and A/AAAA records for those names. Throws
/// std::runtime_error "SOURCE:LINE: reason" on a line that does not parse, and when no root server
/// with an address remains.
std::vector<RootServer> parse_root_hints(std::string_view text, std::string_view source);

/// Read and parse a hints file (errors name the file).
std::vector<RootServer> load_root_hints_file(const std::string& path);

}  // namespace nswatch
