// Slow and idle HTTP clients against the web port: hundreds of connections that send nothing and
// clients that drip their headers a byte at a time must not keep /metrics from answering another
// client, the per-client cap and the header deadline must show, and every refused or timed-out
// connection must be counted at /metrics.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../unit/exporter_test_support.hpp"
#include "exporter/http_server.hpp"
#include "exporter/snapshot_collector.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

/// A TCP connection to 127.0.0.1:port from `source` (any 127/8 address), non-blocking.
int connect_from(const std::string& source, uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
    return fd;
}

/// Keeps `idle` silent connections and `slow` header-dripping ones open from many source
/// addresses (so that the per-client cap does not turn them away), reopening any the server
/// closes, until stopped.
class Attack {
  public:
    Attack(uint16_t port, int idle, int slow) : port_(port), idle_(idle), slow_(slow) {
        thread_ = std::thread([this] { run(); });
    }
    ~Attack() {
        stop_ = true;
        thread_.join();
    }
    int closed_by_server() const { return closed_; }

  private:
    struct Conn {
        int fd;
        bool slow;
        std::string source;
        size_t sent = 0;
    };
    static std::string source(int i, bool slow) {
        return std::string(slow ? "127.0.3." : "127.0.2.") + std::to_string(1 + i / 10);
    }
    void run() {
        std::vector<Conn> conns;
        for (int i = 0; i < idle_; ++i)
            conns.push_back({connect_from(source(i, false), port_), false, source(i, false)});
        for (int i = 0; i < slow_; ++i)
            conns.push_back({connect_from(source(i, true), port_), true, source(i, true)});
        const std::string drip = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
        auto next_drip = Clock::now();
        while (!stop_) {
            std::vector<pollfd> fds;
            for (const auto& c : conns) fds.push_back({c.fd, POLLIN, 0});
            ::poll(fds.data(), fds.size(), 50);
            const bool drip_now = Clock::now() >= next_drip;
            if (drip_now) next_drip = Clock::now() + 500ms;
            for (size_t i = 0; i < conns.size(); ++i) {
                Conn& c = conns[i];
                char buf[512];
                bool dead = false;
                if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                    const ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
                    dead = n == 0 || (n < 0 && errno != EAGAIN);
                }
                if (!dead && c.slow && drip_now) {
                    // One header byte at a time, forever: the head never ends.
                    const char byte = c.sent < drip.size() ? drip[c.sent] : 'x';
                    if (::send(c.fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) ++c.sent;
                }
                if (dead) {
                    ++closed_;
                    ::close(c.fd);
                    c = Conn{connect_from(c.source, port_), c.slow, c.source};
                }
            }
        }
        for (const auto& c : conns) ::close(c.fd);
    }

    uint16_t port_;
    int idle_, slow_;
    std::atomic<bool> stop_{false};
    std::atomic<int> closed_{0};
    std::thread thread_;
};

/// The value of the first line of `metrics` that starts with `series ` (0 when absent).
double value_of(const std::string& metrics, const std::string& series) {
    const auto at = metrics.find("\n" + series + " ");
    if (at == std::string::npos) return 0;
    return std::stod(metrics.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("HTTP: 200 idle and 20 slowloris connections do not keep /metrics from a scraper",
          "[hostile][http]") {
    HttpServerOptions o = test::http_options({"127.0.0.1:0"});
    o.limits.header_timeout = 2s;
    SnapshotPtr none;
    HttpServer server(o, [&] { return none; },
                      {std::make_shared<SnapshotCollector>([&] { return none; })});
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/metrics";

    Attack attack(server.port(), 200, 20);
    std::this_thread::sleep_for(500ms);  // the attack is in place before the first scrape
    int scrapes = 0, answered = 0;
    double slowest = 0;
    const auto end = Clock::now() + 10s;
    while (Clock::now() < end) {
        const auto start = Clock::now();
        const auto r = test::http_fetch(url);  // a new connection each time: the harder case
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        ++scrapes;
        if (r.status == 200 && seconds < 1.0) ++answered;
        slowest = std::max(slowest, seconds);
        std::this_thread::sleep_for(200ms);
    }
    INFO("scrapes " << scrapes << ", answered within 1 s " << answered << ", slowest " << slowest);
    CHECK(scrapes >= 30);
    CHECK(answered == scrapes);

    // The 2 s header deadline closed the silent and the dripping connections (and they came
    // back): counted as request-header timeouts.
    CHECK(attack.closed_by_server() >= 220);
    const std::string metrics = test::http_fetch(url).body;
    CHECK(value_of(metrics,
                   R"(nswatch_http_connections_timed_out_total{phase="request_header"})") >= 220);
    CHECK(value_of(metrics, "nswatch_http_connections_open") >= 200);
}

TEST_CASE("HTTP: the per-client cap refuses one client's extra connections, not others'",
          "[hostile][http]") {
    HttpServerOptions o = test::http_options({"127.0.0.1:0"});
    o.limits.max_connections_per_client = 8;
    o.limits.header_timeout = 1500ms;
    HttpServer server(o, [] { return SnapshotPtr(); }, {});
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

    std::vector<int> fds;
    for (int i = 0; i < 9; ++i) fds.push_back(connect_from("127.0.4.1", server.port()));
    // The ninth is closed at once: EOF well before the header deadline.
    pollfd p{fds.back(), POLLIN, 0};
    const auto start = Clock::now();
    REQUIRE(::poll(&p, 1, 1000) == 1);
    char byte;
    CHECK(::recv(fds.back(), &byte, 1, 0) == 0);
    CHECK(Clock::now() - start < 1s);
    // The eight others are still open; another client is served.
    pollfd first{fds.front(), POLLIN, 0};
    CHECK(::poll(&first, 1, 0) == 0);
    CHECK(test::http_fetch(base + "/healthz").status == 200);

    // The header deadline closes the eight silent ones after 1.5 s, not before.
    const auto closed = [&](int fd, int wait_ms) {
        pollfd q{fd, POLLIN, 0};
        return ::poll(&q, 1, wait_ms) == 1 && ::recv(fd, &byte, 1, 0) == 0;
    };
    std::this_thread::sleep_for(1s);
    CHECK_FALSE(closed(fds.front(), 0));
    CHECK(closed(fds.front(), 1500));
    for (int fd : fds) ::close(fd);

    const std::string metrics = test::http_fetch(base + "/metrics").body;
    CHECK(value_of(metrics,
                   R"(nswatch_http_connections_rejected_total{reason="per_client_limit"})") == 1);
    CHECK(value_of(metrics,
                   R"(nswatch_http_connections_timed_out_total{phase="request_header"})") >= 1);
}

TEST_CASE("HTTP: a full table makes room for a new scraper", "[hostile][http]") {
    HttpServerOptions o = test::http_options({"127.0.0.1:0"});
    o.limits.max_connections = 50;
    o.limits.max_connections_per_client = 10;
    HttpServer server(o, [] { return SnapshotPtr(); }, {});
    std::vector<int> fds;
    for (int i = 0; i < 50; ++i) {
        fds.push_back(connect_from("127.0.5." + std::to_string(1 + i / 10), server.port()));
    }
    std::this_thread::sleep_for(200ms);  // all 50 accepted and waiting
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    for (int i = 0; i < 5; ++i) CHECK(test::http_fetch(base + "/healthz").status == 200);
    // The first scrape found the table full and pushed out one silent connection; each closed
    // after its answer, so the next ones found room.
    const std::string metrics = test::http_fetch(base + "/metrics").body;
    CHECK(value_of(metrics, "nswatch_http_connections_evicted_total") == 1);
    CHECK(value_of(metrics, R"(nswatch_http_connections_rejected_total{reason="total_limit"})") ==
          0);
    // The oldest silent connections gave way: the first one opened is closed.
    pollfd p{fds.front(), POLLIN, 0};
    char byte;
    CHECK((::poll(&p, 1, 500) == 1 && ::recv(fds.front(), &byte, 1, 0) == 0));
    for (int fd : fds) ::close(fd);
}
