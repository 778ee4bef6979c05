// What `nswatch check` and `nswatch audit` share before they probe: the config (the file if one
// is given, then the command-line overrides, then the preflight of its vantages) and the zones
// (named on the command line, else the config's).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace nswatch {

struct OneShotOptions {
    std::string config_path;  ///< -c FILE, empty for none
    std::string root_hints;   ///< --root-hints FILE
    std::string timeout;      ///< --timeout DURATION
    bool no_ipv6 = false;     ///< --no-ipv6
};

/// Throws std::runtime_error naming the option or the config problem.
Config one_shot_config(const OneShotOptions& o);

/// Throws std::runtime_error for a name that is not a domain name, or when there is no zone
/// (`verb`: "check", "audit" for the message).
std::vector<std::string> one_shot_zones(const std::vector<std::string>& named, const Config& config,
                                        std::string_view verb);

}  // namespace nswatch
