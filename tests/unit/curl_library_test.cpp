#include "alerts/curl_library.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace nswatch;

TEST_CASE("curl_library opens libcurl once and every entry point is resolved") {
    const CurlLibrary& lib = curl_library();
    CHECK(&curl_library() == &lib);
    REQUIRE(lib.easy_init != nullptr);
    REQUIRE(lib.easy_cleanup != nullptr);
    REQUIRE(lib.easy_setopt != nullptr);
    REQUIRE(lib.easy_perform != nullptr);
    REQUIRE(lib.easy_getinfo != nullptr);
    REQUIRE(lib.easy_strerror != nullptr);
    REQUIRE(lib.slist_append != nullptr);
    REQUIRE(lib.slist_free_all != nullptr);
    CHECK(std::string(lib.easy_strerror(CURLE_OK)) == "No error");

    // The resolved functions are libcurl's own: a handle takes options and reports on itself.
    CURL* handle = lib.easy_init();
    REQUIRE(handle != nullptr);
    CHECK(lib.easy_setopt(handle, CURLOPT_URL, "http://127.0.0.1:1/") == CURLE_OK);
    CHECK(lib.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http") == CURLE_OK);
    char* url = nullptr;
    CHECK(lib.easy_getinfo(handle, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK);
    REQUIRE(url != nullptr);
    CHECK(std::string(url) == "http://127.0.0.1:1/");
    lib.easy_cleanup(handle);

    curl_slist* list = lib.slist_append(nullptr, "X-One: 1");
    list = lib.slist_append(list, "X-Two: 2");
    REQUIRE(list != nullptr);
    REQUIRE(list->next != nullptr);
    CHECK(std::string(list->next->data) == "X-Two: 2");
    lib.slist_free_all(list);
}
