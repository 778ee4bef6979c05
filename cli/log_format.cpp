#include "cli/log_format.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdio>

namespace nswatch {

namespace {

/// %* in a pattern: the message, escaped for the format.
class EscapedMessage : public spdlog::custom_flag_formatter {
  public:
    explicit EscapedMessage(LogFormat f) : format_(f) {}
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        const std::string_view text(msg.payload.data(), msg.payload.size());
        const std::string out = format_ == LogFormat::json     ? json_escape(text)
                                : format_ == LogFormat::logfmt ? logfmt_value(text)
                                                               : text_line(text);
        dest.append(out.data(), out.data() + out.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<EscapedMessage>(format_);
    }

  private:
    LogFormat format_;
};

}  // namespace

std::optional<LogFormat> log_format_from_string(std::string_view s) {
    if (s == "text") return LogFormat::text;
    if (s == "json") return LogFormat::json;
    if (s == "logfmt") return LogFormat::logfmt;
    return std::nullopt;
}

std::string json_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string text_line(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        if (static_cast<unsigned char>(c) < 0x20) {
            out += json_escape(std::string_view(&c, 1));  // \n, \t, \u0001: one event, one line
        } else {
            out += c;
        }
    }
    return out;
}

std::string logfmt_value(std::string_view s) {
    bool quote = s.empty();
    for (const char c : s) {
        quote |= c == ' ' || c == '=' || c == '"' || static_cast<unsigned char>(c) < 0x20;
    }
    if (!quote) return std::string(s);
    return "\"" + json_escape(s) + "\"";  // logfmt readers take Go-style escapes, as JSON's
}

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    switch (format) {
        case LogFormat::text:
            formatter->add_flag<EscapedMessage>('*', format);
            formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %*");
            break;
        case LogFormat::json:
            formatter->add_flag<EscapedMessage>('*', format);
            formatter->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%*"})");
            break;
        case LogFormat::logfmt:
            formatter->add_flag<EscapedMessage>('*', format);
            formatter->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l msg=%*");
            break;
    }
    return formatter;
}

void configure_logging(LogFormat format, spdlog::level::level_enum level) {
    auto logger = spdlog::stderr_color_mt("nswatch");
    logger->set_formatter(make_log_formatter(format));
    spdlog::set_default_logger(std::move(logger));
    spdlog::set_level(level);
}

}  // namespace nswatch
