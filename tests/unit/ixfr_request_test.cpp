// Tests for prober/ixfr's failures before and around I/O: each names the server and the reason
// (the lab's diff test covers real IXFR from BIND and Knot and the lone SOA from NSD).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "loopback_socket.hpp"
#include "prober/ixfr.hpp"

using namespace nswatch;

TEST_CASE("ixfr request: a closed port is a clear error, not a crash or a hang", "[ixfr]") {
    TransferSource src;
    src.server = "127.0.0.1";
    src.port = 1;
    src.timeout = std::chrono::milliseconds(1000);
    IxfrReader reader(1);
    CHECK_THROWS_WITH(request_ixfr("shop.test", src, reader),
                      Catch::Contains("IXFR of shop.test from 127.0.0.1 port 1: connect"));
    CHECK_FALSE(reader.complete());
}

TEST_CASE("ixfr request: bad addresses and names are refused before any I/O", "[ixfr]") {
    TransferSource src;
    src.server = "ns1.example";
    IxfrReader reader(1);
    CHECK_THROWS_WITH(request_ixfr("shop.test", src, reader), Catch::Contains("not an IP address"));
    src.server = "127.0.0.1";
    src.source = "bogus";
    CHECK_THROWS_WITH(request_ixfr("shop.test", src, reader),
                      Catch::Contains("'bogus' is not an IP address"));
}

TEST_CASE("ixfr request: a server that accepts and says nothing times out", "[ixfr]") {
    const int lfd = socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in a = test::bind_loopback(lfd);
    REQUIRE(listen(lfd, 1) == 0);
    TransferSource src;
    src.server = "127.0.0.1";
    src.port = ntohs(a.sin_port);
    src.timeout = std::chrono::milliseconds(300);
    IxfrReader reader(1);
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(request_ixfr("shop.test", src, reader), Catch::Contains("timed out"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    close(lfd);
}
