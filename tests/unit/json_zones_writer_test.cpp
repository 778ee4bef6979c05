// cli/json_zones_writer: the zones document written a zone at a time (write_zones_document) and
// spooled until its head is known (ZonesDocumentSpool) is the very text of the whole document's
// dump(2) and a newline, in one block of the spool's text or across several.
#include "cli/json_zones_writer.hpp"

#include <catch2/catch.hpp>
#include <sstream>
#include <string>

using namespace nswatch;

namespace {

nlohmann::json zone_object(size_t i, size_t filler) {
    nlohmann::json z;
    z["zone"] = "z" + std::to_string(i) + ".test";
    z["text"] = std::string(filler, static_cast<char>('a' + i % 26)) + "\"\n\u00e9";
    z["numbers"] = {i, 0.5, -3};
    z["nested"]["empty"] = nlohmann::json::array();
    z["nested"]["null"] = nullptr;
    return z;
}

nlohmann::json head() {
    nlohmann::json h;
    h["status"] = "WARNING";
    h["exit_code"] = 1;
    return h;
}

/// What the document must be: the whole tree dumped at once.
std::string whole(size_t n, size_t filler) {
    nlohmann::json doc = head();
    doc["zones"] = nlohmann::json::array();
    for (size_t i = 0; i < n; ++i) doc["zones"].push_back(zone_object(i, filler));
    return doc.dump(2) + "\n";
}

std::string spooled(size_t n, size_t filler) {
    ZonesDocumentSpool spool;
    for (size_t i = 0; i < n; ++i) spool.add(zone_object(i, filler));
    CHECK(spool.size() == n);
    std::ostringstream out;
    spool.write(out, head());
    return out.str();
}

std::string streamed(size_t n, size_t filler) {
    nlohmann::json z;
    std::ostringstream out;
    write_zones_document(out, head(), n, [&](size_t i) -> const nlohmann::json& {
        z = zone_object(i, filler);
        return z;
    });
    return out.str();
}

}  // namespace

TEST_CASE("the zones document spooled is the whole document's dump, with no zone, one, several",
          "[render]") {
    for (size_t n : {0, 1, 3}) {
        INFO(n);
        CHECK(spooled(n, 10) == whole(n, 10));
        CHECK(streamed(n, 10) == whole(n, 10));
    }
}

TEST_CASE("the zones document spooled across several 2 MiB blocks is still the whole dump",
          "[render]") {
    // 700 zones of ≈ 10 KB: ≈ 7 MB of text, zones split across the blocks' edges.
    const std::string expected = whole(700, 10'000);
    REQUIRE(expected.size() > 3 * (size_t{2} << 20));
    CHECK(spooled(700, 10'000) == expected);
    CHECK(streamed(700, 10'000) == expected);
}

TEST_CASE("the zones document wants a head that is an object without zones", "[render]") {
    ZonesDocumentSpool spool;
    spool.add(zone_object(0, 1));
    std::ostringstream out;
    CHECK_THROWS_AS(spool.write(out, nlohmann::json::array()), std::invalid_argument);
    nlohmann::json with_zones = head();
    with_zones["zones"] = 1;
    CHECK_THROWS_AS(spool.write(out, with_zones), std::invalid_argument);
    CHECK_THROWS_AS(write_zones_document(out, nlohmann::json::object(), 0,
                                         [](size_t) -> const nlohmann::json& {
                                             static const nlohmann::json none;
                                             return none;
                                         }),
                    std::invalid_argument);
}
