// Loading the YAML configuration into a Config (config/schema.hpp).
//
// Every mistake is reported as one ConfigError "FILE:LINE:COLUMN: what was wrong and what was
// expected" (1-based, like compilers, so editors jump to it), and loading stops at the first one:
// later messages would often be consequences of the first.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "config/names.hpp"
#include "config/schema.hpp"
#include "config/shard.hpp"

namespace nswatch {

/// A configuration that cannot be used. what() is "FILE:LINE:COLUMN: message", or "FILE: message"
/// when no position applies (the file cannot be read).
class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::string source, int line, int column, std::string message);

    /// File path or source name the error is in.
    const std::string& source() const { return source_; }
    /// 1-based line, 0 when no position applies.
    int line() const { return line_; }
    /// 1-based column, 0 when no position applies.
    int column() const { return column_; }
    /// The message without the position prefix.
    const std::string& message() const { return message_; }

  private:
    std::string source_;   ///< file path or source name
    int line_;             ///< 1-based line, 0 = none
    int column_;           ///< 1-based column, 0 = none
    std::string message_;  ///< what was wrong and what was expected
};

/// Choices of the caller about what a usable config is.
struct LoadOptions {
    /// The daemon needs zones from the file; check/audit may take them from the command line.
    bool require_zones = false;
    /// Replaces the file's `shard` when set; by default the command line's --shard, so every
    /// load in the process (the daemon's reloads too) keeps the same part of the zones.
    std::optional<ShardSettings> shard = command_line_shard();
};

/// Read and validate the YAML file at `path`. A relative root_hints is resolved against the
/// file's directory. Throws ConfigError.
Config load_config_file(const std::string& path, const LoadOptions& options = {});

/// Validate YAML text; `source_name` prefixes error messages and becomes Config::source. A
/// relative root_hints is resolved against the current directory. Throws ConfigError.
Config load_config_string(const std::string& yaml, const std::string& source_name,
                          const LoadOptions& options = {});

}  // namespace nswatch
