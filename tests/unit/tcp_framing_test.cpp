// Tests for dns/tcp_framing: messages split across reads, several in one read, and a
// connection cut short mid-message.
#include "dns/tcp_framing.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

TEST_CASE("tcp framing: messages come out whole however the octets arrive", "[tcp]") {
    const std::vector<uint8_t> one{1, 2, 3};
    const std::vector<uint8_t> two(300, 7);
    std::vector<uint8_t> stream = frame_message(one);
    const auto f2 = frame_message(two);
    stream.insert(stream.end(), f2.begin(), f2.end());
    REQUIRE(stream.size() == 2 + 3 + 2 + 300);
    CHECK(stream[5] == 0x01);  // 300 = 0x012C
    CHECK(stream[6] == 0x2C);

    SECTION("one octet at a time") {
        TcpMessageBuffer b;
        std::vector<std::vector<uint8_t>> got;
        std::vector<uint8_t> msg;
        for (uint8_t octet : stream) {
            b.append(std::span<const uint8_t>(&octet, 1));
            while (b.take(msg)) got.push_back(msg);
        }
        CHECK(got == std::vector<std::vector<uint8_t>>{one, two});
        CHECK_FALSE(b.partial());
    }
    SECTION("all at once") {
        TcpMessageBuffer b;
        b.append(stream);
        std::vector<uint8_t> msg;
        REQUIRE(b.take(msg));
        CHECK(msg == one);
        REQUIRE(b.take(msg));
        CHECK(msg == two);
        CHECK_FALSE(b.take(msg));
    }
    SECTION("cut short") {
        TcpMessageBuffer b;
        b.append(std::span<const uint8_t>(stream.data(), 6));
        std::vector<uint8_t> msg;
        REQUIRE(b.take(msg));
        CHECK_FALSE(b.take(msg));
        CHECK(b.partial());
    }
}

TEST_CASE("tcp framing: an empty message is framed as length zero", "[tcp]") {
    CHECK(frame_message({}) == std::vector<uint8_t>{0, 0});
    TcpMessageBuffer b;
    const std::vector<uint8_t> zero{0, 0};
    b.append(zero);
    std::vector<uint8_t> msg{9};
    REQUIRE(b.take(msg));
    CHECK(msg.empty());
}
