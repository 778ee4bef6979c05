// Vantage points: probes leave from the vantage's source address, over UDP and TCP. A plain
// socket on loopback stands in for the server and reports who the query came from.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "loopback_socket.hpp"
#include "prober/engine.hpp"

using namespace nswatch;

namespace {

using Listener = test::LoopbackSocket;

std::string address_of(const sockaddr_in& sa) {
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, buf, sizeof buf);
    return buf;
}

ProbeRequest probe_to(uint16_t port, Transport t) {
    ProbeRequest r;
    r.target.address = "127.0.0.1";
    r.target.port = port;
    r.target.transport = t;
    r.target.vantage = "second";
    r.query.name = "shop.test";
    r.timeout = std::chrono::milliseconds(300);
    return r;
}

const std::vector<Vantage> kVantages{Vantage{"default", "", "", ""},
                                     Vantage{"second", "127.0.0.2", "", ""}};

}  // namespace

TEST_CASE("engine: a UDP probe leaves from its vantage's source address", "[engine]") {
    Listener server(SOCK_DGRAM);
    sockaddr_in from{};
    std::thread receiver([&] {
        char buf[512];
        socklen_t len = sizeof from;
        recvfrom(server.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    });
    ProbeEngine engine(kVantages);
    const auto results = engine.run_batch({probe_to(server.port, Transport::udp)});
    receiver.join();
    CHECK(address_of(from) == "127.0.0.2");
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == Outcome::timeout);  // the stand-in never answers
    CHECK(results[0].target.vantage == "second");
}

TEST_CASE("engine: a TCP probe connects from its vantage's source address", "[engine]") {
    Listener server(SOCK_STREAM);
    sockaddr_in from{};
    std::thread acceptor([&] {
        socklen_t len = sizeof from;
        const int c = accept(server.fd, reinterpret_cast<sockaddr*>(&from), &len);
        if (c >= 0) {
            char buf[512];
            (void)read(c, buf, sizeof buf);
            close(c);
        }
    });
    ProbeEngine engine(kVantages);
    const auto results = engine.run_batch({probe_to(server.port, Transport::tcp)});
    acceptor.join();
    CHECK(address_of(from) == "127.0.0.2");
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome != Outcome::ok);
}

TEST_CASE("engine: an unknown vantage is a network_error naming it, not a crash", "[engine]") {
    ProbeEngine engine(kVantages);
    auto req = probe_to(53, Transport::udp);
    req.target.vantage = "nowhere";
    const auto results = engine.run_batch({req});
    REQUIRE(results.size() == 1);
    CHECK(results[0].outcome == Outcome::network_error);
    CHECK_THAT(results[0].detail, Catch::Contains("nowhere"));
}
