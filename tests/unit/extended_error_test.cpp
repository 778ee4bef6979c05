// Extended DNS Errors (RFC 8914) as read from an OPT option's payload: code, registry name, text
// made safe for logs and alert texts.
#include "dns/extended_error.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace nswatch;

namespace {
ExtendedError parsed(const std::string& payload) {
    ExtendedError e;
    REQUIRE(
        parse_extended_error(reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), e));
    return e;
}
}  // namespace

TEST_CASE("extended errors: code and text from the payload, names from the registry") {
    const auto e = parsed(std::string("\x00\x12", 2) + "zone transfer only");
    CHECK(e.code == 18);
    CHECK(e.text == "zone transfer only");
    CHECK(describe(e) == "EDE 18 (Prohibited): zone transfer only");
    CHECK(extended_error_name(0) == "Other Error");
    CHECK(extended_error_name(22) == "No Reachable Authority");
    CHECK(extended_error_name(29) == "Synthesized");
    CHECK(describe(ExtendedError{3, ""}) == "EDE 3 (Stale Answer)");
    // A code the registry does not list is shown by number alone.
    CHECK(extended_error_name(4000).empty());
    CHECK(describe(ExtendedError{4000, "private"}) == "EDE 4000: private");
}

TEST_CASE("extended errors: hostile text cannot forge a line or grow without bound") {
    const auto e = parsed(std::string("\x00\x06", 2) + "bogus\nFIRING provider_down\x1b[31m");
    CHECK(e.code == 6);
    CHECK(e.text == "bogus?FIRING provider_down?[31m");
    // One trailing NUL (C strings sent as they are) is dropped; others become '?'.
    CHECK(parsed(std::string("\x00\x00text\0", 7)).text == "text");
    CHECK(parsed(std::string("\x00\x00te\0xt", 7)).text == "te?xt");
    const auto long_text = parsed(std::string("\x00\x00", 2) + std::string(5000, 'a'));
    CHECK(long_text.text == std::string(kMaxExtendedErrorText, 'a') + "...");
    // Shorter than the INFO-CODE: not an extended error.
    ExtendedError none;
    const uint8_t one = 1;
    CHECK_FALSE(parse_extended_error(&one, 1, none));
    CHECK_FALSE(parse_extended_error(nullptr, 0, none));
}
