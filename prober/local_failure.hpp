// Failures whose cause is this host, not the server probed: no descriptor left (the open-files
// limit), no memory for a socket. A probe that ends so gets Outcome::local_error and a detail that
// names the cause, so that nothing counts it against the server's health.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace nswatch {

/// Thrown where the engine cannot create what a probe needs (a c-ares channel) for a local reason.
class LocalFailure : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The local cause of a failed socket() or open(), as one phrase ("no file descriptor: open-files
/// limit 64 reached"), or nullopt when `error` (an errno) may well be about the destination.
std::optional<std::string> local_cause(int error);

}  // namespace nswatch
