// cli/log_format: text, JSON and logfmt log lines, UTC, one event per line, messages escaped so
// that a hostile string from DNS cannot forge a field or a line.
#include "cli/log_format.hpp"

#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

using namespace nswatch;

TEST_CASE("log format: names, JSON escaping, logfmt quoting") {
    CHECK(log_format_from_string("json") == LogFormat::json);
    CHECK(log_format_from_string("logfmt") == LogFormat::logfmt);
    CHECK(log_format_from_string("text") == LogFormat::text);
    CHECK_FALSE(log_format_from_string("xml"));
    CHECK(json_escape("a\"b\\c\nd\x01") == "a\\\"b\\\\c\\nd\\u0001");
    CHECK(logfmt_value("plain") == "plain");
    CHECK(logfmt_value("two words") == "\"two words\"");
    CHECK(logfmt_value("k=v") == "\"k=v\"");
    CHECK(logfmt_value("") == "\"\"");
    CHECK(text_line("a \"b\"\nc") == "a \"b\"\\nc");
}

TEST_CASE("log format: the installed logger writes one parseable UTC event per line") {
    for (const LogFormat f : {LogFormat::text, LogFormat::json, LogFormat::logfmt}) {
        std::ostringstream out;
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
        sink->set_formatter(make_log_formatter(f));
        spdlog::logger logger("capture", sink);
        logger.set_level(spdlog::level::info);
        logger.info("zone shop.test: {}", "evil \"name\"\nlevel=error");
        logger.debug("not at info");
        const std::string line = out.str();
        INFO(line);
        REQUIRE(std::count(line.begin(), line.end(), '\n') == 1);  // one line, the newline escaped
        const std::regex utc(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
        CHECK(std::regex_search(line, utc));
        if (f == LogFormat::json) {
            const auto j = nlohmann::json::parse(line);
            CHECK(j["level"] == "info");
            CHECK(j["msg"] == "zone shop.test: evil \"name\"\nlevel=error");
        } else if (f == LogFormat::logfmt) {
            CHECK(line.find("level=info msg=\"zone shop.test: evil \\\"name\\\"\\nlevel=error\"") !=
                  std::string::npos);
        } else {
            CHECK(line.find(" info  zone shop.test: evil \"name\"\\nlevel=error") !=
                  std::string::npos);
        }
    }
}
