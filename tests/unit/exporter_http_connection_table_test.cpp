// Tests for exporter/http_connection_table: the caps, the deadlines and who gives way.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>

#include "exporter/http_connection_table.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
using Table = HttpConnectionTable;
using Phase = Table::Phase;
using Verdict = Table::Verdict;

namespace {

const Table::Clock::time_point t0{};

HttpLimits small_limits() {
    HttpLimits l;
    l.max_connections = 4;
    l.max_connections_per_client = 2;
    l.header_timeout = 5s;
    l.idle_timeout = 120s;
    l.write_timeout = 60s;
    return l;
}

std::vector<uint64_t> ids(const std::vector<Table::Expired>& expired) {
    std::vector<uint64_t> out;
    for (const auto& e : expired) out.push_back(e.id);
    std::sort(out.begin(), out.end());
    return out;
}

sockaddr_storage peer(int family, const char* text) {
    sockaddr_storage s{};
    s.ss_family = static_cast<sa_family_t>(family);
    if (family == AF_INET) {
        inet_pton(AF_INET, text, &reinterpret_cast<sockaddr_in&>(s).sin_addr);
    } else {
        inet_pton(AF_INET6, text, &reinterpret_cast<sockaddr_in6&>(s).sin6_addr);
    }
    return s;
}

}  // namespace

TEST_CASE("connection table: a client at its cap is refused, others are not", "[http][table]") {
    Table t(small_limits());
    CHECK(t.admit("a").verdict == Verdict::accept);
    t.add(1, "a", t0);
    t.add(2, "a", t0);
    CHECK(t.admit("a").verdict == Verdict::reject_client_limit);
    CHECK_FALSE(t.admit("a").evict.has_value());
    CHECK(t.admit("b").verdict == Verdict::accept);
    CHECK_FALSE(t.admit("b").evict.has_value());
    t.remove(1);
    CHECK(t.count("a") == 1);
    CHECK(t.admit("a").verdict == Verdict::accept);
}

TEST_CASE("connection table: when full, the longest-waiting connection gives way",
          "[http][table]") {
    Table t(small_limits());
    t.add(1, "a", t0);
    t.add(2, "b", t0 + 1s);
    t.add(3, "c", t0 + 2s);
    t.add(4, "d", t0 + 3s);
    // 1 is busy (its response is being built): it is not pushed out; 2 has waited longest.
    t.enter(1, Phase::handling, t0 + 4s);
    Table::Admission a = t.admit("e");
    CHECK(a.verdict == Verdict::accept);
    CHECK(a.evict == std::optional<uint64_t>(2));
    // A kept-alive connection waits again from the end of its response: it goes to the back.
    t.enter(1, Phase::idle, t0 + 5s);
    t.remove(2);
    t.add(5, "e", t0 + 5s);
    CHECK(t.admit("f").evict == std::optional<uint64_t>(3));
    CHECK(t.oldest_waiting() == std::optional<uint64_t>(3));
    // Reading the next request keeps the place it had while idle.
    t.enter(3, Phase::reading_request, t0 + 6s);
    CHECK(t.oldest_waiting() == std::optional<uint64_t>(3));
    // Nobody waiting: the new connection is refused instead.
    for (uint64_t id : {1, 3, 4, 5}) t.enter(id, Phase::writing, t0 + 7s);
    CHECK(t.admit("f").verdict == Verdict::reject_total_limit);
    CHECK_FALSE(t.oldest_waiting().has_value());
}

TEST_CASE("connection table: each phase has its own deadline", "[http][table]") {
    Table t(small_limits());
    t.add(1, "a", t0);  // a slowloris or idle new connection: 5 s for the head
    t.add(2, "b", t0);
    t.enter(2, Phase::handling, t0 + 1s);  // a worker is on it: no deadline
    t.add(3, "c", t0);
    t.enter(3, Phase::writing, t0 + 1s);  // a client that stopped reading: 60 s
    t.add(4, "d", t0);
    t.enter(4, Phase::idle, t0 + 1s);  // kept alive between scrapes: 120 s
    CHECK(t.expired(t0 + 4999ms).empty());
    const auto at5 = t.expired(t0 + 5s);
    REQUIRE(ids(at5) == std::vector<uint64_t>{1});
    CHECK(at5[0].phase == Phase::awaiting_request);
    CHECK(ids(t.expired(t0 + 61s)) == std::vector<uint64_t>{1, 3});
    // The next request's first byte starts a fresh head deadline.
    t.enter(4, Phase::reading_request, t0 + 100s);
    CHECK(ids(t.expired(t0 + 104s)) == std::vector<uint64_t>{1, 3});
    CHECK(ids(t.expired(t0 + 105s)) == std::vector<uint64_t>{1, 3, 4});
    CHECK(ids(t.expired(t0 + 1h)) == std::vector<uint64_t>{1, 3, 4});
    t.remove(1);
    t.remove(3);
    t.remove(4);
    t.remove(4);  // twice is harmless
    CHECK(t.size() == 1);
    CHECK(t.count("a") == 0);
}

TEST_CASE("connection table: clients are IPv4 addresses or IPv6 /64s", "[http][table]") {
    CHECK(client_key(peer(AF_INET, "192.0.2.7")) == "192.0.2.7");
    CHECK(client_key(peer(AF_INET6, "::ffff:192.0.2.7")) == "192.0.2.7");
    CHECK(client_key(peer(AF_INET6, "2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64");
    CHECK(client_key(peer(AF_INET6, "2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64");
    CHECK(client_key(peer(AF_INET6, "2001:db8:1:3::1")) == "2001:db8:1:3::/64");
    CHECK(client_key(peer(AF_INET6, "::1")) == "::/64");
}
