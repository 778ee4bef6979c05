// Tests for prober/axfr: failures name the server and the reason (the lab test covers a real
// transfer from BIND, NSD and Knot).
#include "prober/axfr.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

TEST_CASE("axfr: a closed port is a clear error, not a crash or a hang", "[axfr]") {
    TransferSource src;
    src.server = "127.0.0.1";
    src.port = 1;  // nothing listens on tcpmux here
    src.timeout = std::chrono::milliseconds(1000);
    size_t records = 0;
    CHECK_THROWS_WITH(transfer_zone("shop.test", src, [&](Record&&) { ++records; }),
                      Catch::Contains("AXFR of shop.test from 127.0.0.1 port 1"));
    CHECK(records == 0);
    try {
        transfer_zone("shop.test", src, [](Record&&) {});
        FAIL("no exception");
    } catch (const TransferError& e) {
        CHECK(e.stage == TransferError::Stage::start);  // no transfer began: not a refusal
        CHECK_FALSE(e.rcode);
    }
}

TEST_CASE("axfr: bad addresses are refused before any I/O", "[axfr]") {
    TransferSource src;
    src.server = "ns1.example";
    CHECK_THROWS_WITH(transfer_zone("shop.test", src, [](Record&&) {}),
                      Catch::Contains("not an IP address"));
    src.server = "127.0.0.1";
    src.source = "bogus";
    CHECK_THROWS_WITH(transfer_zone("shop.test", src, [](Record&&) {}),
                      Catch::Contains("'bogus' is not an IP address"));
}
