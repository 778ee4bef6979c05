// cli/json_in_place: values written over a document of the same shape give the document a fresh
// build would, keys and elements the new value lacks are gone, and a string keeps its buffer.
#include "cli/json_in_place.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

TEST_CASE("set_text overwrites a string where it is and replaces any other value", "[json]") {
    nlohmann::json slot = "a string longer than the short-string buffer of std::string";
    const char* buffer = slot.get_ref<const std::string&>().data();
    set_text(slot, "short");
    CHECK(slot == "short");
    CHECK(slot.get_ref<const std::string&>().data() == buffer);  // no new allocation

    nlohmann::json number = 42;
    set_text(number, "now text");
    CHECK(number == "now text");
    nlohmann::json null;
    set_text(null, "");
    CHECK(null.is_string());
    CHECK(null == "");
}

TEST_CASE("set_array keeps the first elements, drops the extra ones and adds the missing ones",
          "[json]") {
    nlohmann::json slot = nlohmann::json::array({"x", "y", "z"});
    set_texts(slot, {"a", "b"});
    CHECK(slot == nlohmann::json::array({"a", "b"}));
    set_texts(slot, {"a", "b", "c", "d"});
    CHECK(slot == nlohmann::json::array({"a", "b", "c", "d"}));
    set_texts(slot, {});
    CHECK(slot == nlohmann::json::array());

    nlohmann::json object = {{"k", 1}};
    set_array(object, 2, [](nlohmann::json& e, size_t i) { e = static_cast<int>(i) * 10; });
    CHECK(object == nlohmann::json::array({0, 10}));
}

TEST_CASE("as_object keeps an object's keys and turns anything else into an empty object",
          "[json]") {
    nlohmann::json o = {{"kept", true}};
    as_object(o)["added"] = 1;
    CHECK(o == nlohmann::json{{"kept", true}, {"added", 1}});
    nlohmann::json s = "text";
    CHECK(as_object(s) == nlohmann::json::object());
    nlohmann::json n;
    CHECK(as_object(n).is_object());
}

TEST_CASE("erase_key removes a key and leaves a missing key or a non-object alone", "[json]") {
    nlohmann::json o = {{"a", 1}, {"b", 2}};
    erase_key(o, "a");
    CHECK(o == nlohmann::json{{"b", 2}});
    erase_key(o, "missing");
    CHECK(o == nlohmann::json{{"b", 2}});
    nlohmann::json n;
    erase_key(n, "a");
    CHECK(n.is_null());
}
