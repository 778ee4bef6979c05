// Where probes leave from: a name and the local addresses or device to send from. Named here,
// below the prober, because the configuration lists vantages without needing the engine.
#pragma once

#include <string>

namespace nswatch {

/// Where probes leave from. Empty fields mean "let the kernel choose".
struct Vantage {
    std::string name = "default";
    std::string source_ipv4;  ///< local address for IPv4 probes
    std::string source_ipv6;  ///< local address for IPv6 probes
    std::string interface;    ///< bind to this device (SO_BINDTODEVICE)

    bool operator==(const Vantage&) const = default;
};

}  // namespace nswatch
