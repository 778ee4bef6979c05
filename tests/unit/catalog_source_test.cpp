// Tests for how a catalog source starts (catalog/catalog_source.hpp): start() returns after the
// first transfer, start_in_background() at once, its first transfer on the source's thread: a
// failure is counted and brings no change, a success brings the members and one on_change. The
// primaries are loopback sockets in this process: one that accepts and never answers, one that
// answers one AXFR (built with ldns).
#include "catalog/catalog_source.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "loopback_socket.hpp"

// ldns/common.h #defines bool, true and false unless <stdbool.h> came first.
#include <stdbool.h>
// then ldns:
#include <ldns/ldns.h>

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

/// A TCP listener on 127.0.0.1 (a port of the kernel's choice), closed with the object.
struct Listener : test::LoopbackSocket {
    Listener() : LoopbackSocket(SOCK_STREAM, 4) {}
};

/// A message read from `fd` with its two-byte length (RFC 1035 4.2.2); empty when it closed.
std::vector<uint8_t> read_tcp_message(int fd) {
    uint8_t len[2];
    if (recv(fd, len, 2, MSG_WAITALL) != 2) return {};
    std::vector<uint8_t> msg(static_cast<size_t>(len[0]) << 8 | len[1]);
    if (recv(fd, msg.data(), msg.size(), MSG_WAITALL) != static_cast<ssize_t>(msg.size())) {
        return {};
    }
    return msg;
}

/// The answer to `query` (an AXFR of bg.lab): the whole catalog in one message, with its
/// two-byte length; empty when the query cannot be read. (The server's thread: no REQUIRE.)
std::vector<uint8_t> catalog_answer(const std::vector<uint8_t>& query) {
    if (query.empty()) return {};
    ldns_pkt* q = nullptr;
    if (ldns_wire2pkt(&q, query.data(), query.size()) != LDNS_STATUS_OK) return {};
    ldns_pkt* a = ldns_pkt_clone(q);
    ldns_pkt_free(q);
    ldns_pkt_set_qr(a, true);
    ldns_pkt_set_aa(a, true);
    for (const char* text :
         {"bg.lab. 0 IN SOA invalid. hostmaster.invalid. 7 300 60 86400 0",
          "version.bg.lab. 0 IN TXT \"2\"", "m1.zones.bg.lab. 0 IN PTR member.test.",
          "bg.lab. 0 IN SOA invalid. hostmaster.invalid. 7 300 60 86400 0"}) {
        ldns_rr* rr = nullptr;
        if (ldns_rr_new_frm_str(&rr, text, 0, nullptr, nullptr) == LDNS_STATUS_OK) {
            ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
        }
    }
    uint8_t* wire = nullptr;
    size_t size = 0;
    const ldns_status written = ldns_pkt2wire(&wire, a, &size);
    ldns_pkt_free(a);
    if (written != LDNS_STATUS_OK) return {};
    std::vector<uint8_t> out{static_cast<uint8_t>(size >> 8), static_cast<uint8_t>(size & 0xff)};
    out.insert(out.end(), wire, wire + size);
    std::free(wire);
    return out;
}

CatalogSettings catalog_at(uint16_t port) {
    CatalogSettings s;
    s.name = "bg.lab";
    s.server = "127.0.0.1";
    s.port = port;
    s.timeout = 1s;
    return s;
}

double refreshes(CatalogMetrics& m, const char* result) {
    return m.refreshes.Add({{"catalog", "bg.lab"}, {"result", result}}).Value();
}

bool within(std::chrono::milliseconds limit, const std::function<bool()>& pred) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

}  // namespace

TEST_CASE("catalog source: start() waits for the first transfer, start_in_background() does not",
          "[catalog]") {
    const Listener silent;  // accepts (the kernel's backlog) and never answers
    auto metrics = std::make_shared<CatalogMetrics>();
    std::atomic<int> changes{0};
    const auto on_change = [&changes] { ++changes; };

    SECTION("start: the first transfer times out on the caller's thread") {
        CatalogSource source(catalog_at(silent.port), std::nullopt, on_change, metrics);
        const auto t0 = std::chrono::steady_clock::now();
        source.start();
        CHECK(std::chrono::steady_clock::now() - t0 >= 900ms);
        CHECK(refreshes(*metrics, "error") == 1);
    }
    SECTION("start_in_background: at once, the failure counted on the source's thread") {
        CatalogSource source(catalog_at(silent.port), std::nullopt, on_change, metrics);
        const auto t0 = std::chrono::steady_clock::now();
        source.start_in_background();
        CHECK(std::chrono::steady_clock::now() - t0 < 200ms);
        CHECK(refreshes(*metrics, "error") == 0);
        CHECK(within(5s, [&] { return refreshes(*metrics, "error") == 1; }));
        CHECK(refreshes(*metrics, "ok") == 0);
        CHECK(source.members().empty());
    }
    CHECK(changes == 0);
}

TEST_CASE("catalog source: a background first transfer brings the members and one on_change",
          "[catalog]") {
    const Listener primary;
    std::thread server([&primary] {
        const int fd = accept(primary.fd, nullptr, nullptr);
        if (fd < 0) return;
        const std::vector<uint8_t> answer = catalog_answer(read_tcp_message(fd));
        if (!answer.empty()) send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
        read_tcp_message(fd);  // until the client closes
        close(fd);
    });
    auto metrics = std::make_shared<CatalogMetrics>();
    std::atomic<int> changes{0};
    {
        CatalogSource source(
            catalog_at(primary.port), std::nullopt, [&changes] { ++changes; }, metrics);
        CHECK(source.members().empty());
        source.start_in_background();
        REQUIRE(within(5s, [&] { return changes == 1; }));
        const std::vector<CatalogMember> members = source.members();
        REQUIRE(members.size() == 1);
        CHECK(members[0].zone == "member.test");
        CHECK(members[0].id == "m1");
        CHECK(members[0].group.empty());
        CHECK(refreshes(*metrics, "ok") == 1);
        CHECK(refreshes(*metrics, "error") == 0);
    }
    server.join();
    CHECK(changes == 1);
}
