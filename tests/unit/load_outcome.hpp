// A config load's outcome in the tests that read one config two ways (zone by zone and as one
// tree) and compare: the Config, or the error message.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <variant>

#include "config/config.hpp"

namespace nswatch::test {

using LoadOutcome = std::variant<Config, std::string>;

/// The Config of a load that must have succeeded.
inline const Config& config_of(const LoadOutcome& outcome) {
    if (const auto* message = std::get_if<std::string>(&outcome)) FAIL(*message);
    return std::get<Config>(outcome);
}

/// The error message of a load that must have failed.
inline std::string error_of(const LoadOutcome& outcome) {
    if (std::holds_alternative<Config>(outcome)) FAIL("loaded without an error");
    return std::get<std::string>(outcome);
}

}  // namespace nswatch::test
