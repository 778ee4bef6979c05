// Tests for exporter/listen_address.hpp: one HTTP listen address, nothing else.
#include <catch2/catch.hpp>

#include "exporter/listen_address.hpp"

using namespace nswatch;

TEST_CASE("listen address: IPv4 and bracketed IPv6 with a port", "[http][listen]") {
    CHECK(parse_listen_address("127.0.0.1:10053") == ListenAddress{"127.0.0.1", false, 10053});
    CHECK(parse_listen_address("0.0.0.0:0") == ListenAddress{"0.0.0.0", false, 0});
    CHECK(parse_listen_address("[::1]:10053") == ListenAddress{"::1", true, 10053});
    CHECK(parse_listen_address("[::]:65535") == ListenAddress{"::", true, 65535});
    CHECK(to_string(*parse_listen_address("[2001:db8::1]:80")) == "[2001:db8::1]:80");
    CHECK(to_string(*parse_listen_address("192.0.2.1:80")) == "192.0.2.1:80");
}

TEST_CASE("listen address: lists, names, bare ports and bad ports are refused", "[http][listen]") {
    for (const char* bad :
         {"127.0.0.1:10053,0.0.0.0:9154", "127.0.0.1:10053 0.0.0.0:9154", "localhost:10053",
          "localhost", "10053", ":10053", "+10053", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
          "127.0.0.1:9153s", "127.0.0.1:-1", "::1:10053", "[::1]", "[::1]10053", "[127.0.0.1]:80",
          "127.1:80", "", "[]:80"}) {
        INFO(bad);
        CHECK_FALSE(parse_listen_address(bad).has_value());
    }
}
