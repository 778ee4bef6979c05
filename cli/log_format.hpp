// How the process logs: `--log-format text|json|logfmt`, every timestamp in UTC with its zone
// ("Z"), one event per line on stderr (stdout carries reports and JSON that scripts read).
//   text    2026-12-05T23:40:01.123Z info  zone shop.test: 6 nameservers, 12 addresses
//   json    {"ts":"2026-12-05T23:40:01.123Z","level":"info","msg":"zone shop.test: ..."}
//   logfmt  ts=2026-12-05T23:40:01.123Z level=info msg="zone shop.test: ..."
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace nswatch {

enum class LogFormat { text, json, logfmt };

std::optional<LogFormat> log_format_from_string(std::string_view s);

/// The message as a JSON string body (without the quotes) / as a logfmt value (quoted when it
/// holds a space, '=', '"' or a control character).
std::string json_escape(std::string_view s);
std::string logfmt_value(std::string_view s);
/// The message on one line: control characters escaped as in JSON, the rest as it is.
std::string text_line(std::string_view s);

/// The formatter of one format (UTC timestamps).
std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format);

/// Install the default logger on stderr with this format and level.
void configure_logging(LogFormat format, spdlog::level::level_enum level);

}  // namespace nswatch
