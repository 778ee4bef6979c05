// TCP read-ahead on a real loopback connection: one read takes every reply that has arrived; the
// reads c-ares makes (a length, then a message) are then served from the buffer in stream order,
// with each reply's arrival recorded at the read that took it; the peer's close comes after the
// buffered octets; a closed or declined socket's buffer goes.
#include "prober/tcp_read_ahead.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <vector>

#include "loopback_socket.hpp"

using namespace nswatch;

namespace {

/// A DNS message over TCP: two-octet length, then an ID and `body` filler octets.
std::vector<uint8_t> framed(uint16_t id, size_t body = 30) {
    const size_t len = 2 + body;
    std::vector<uint8_t> m{static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len & 0xff),
                           static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id & 0xff)};
    m.resize(2 + len, static_cast<uint8_t>(id));
    return m;
}

/// A connected pair of loopback TCP sockets: `client` (non-blocking, timestamping) and `server`.
struct Connection {
    int client = -1;
    int server = -1;
    Connection() {
        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr = test::bind_loopback(listener);
        REQUIRE(::listen(listener, 1) == 0);
        client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        server = ::accept(listener, nullptr, nullptr);
        REQUIRE(server >= 0);
        ::close(listener);
        enable_receive_timestamps(client);
    }
    ~Connection() {
        if (client >= 0) ::close(client);
        if (server >= 0) ::close(server);
    }
    void send(const std::vector<uint8_t>& bytes) const {
        REQUIRE(::send(server, bytes.data(), bytes.size(), 0) ==
                static_cast<ssize_t>(bytes.size()));
    }
};

struct Read {
    ssize_t n;
    int error;
    std::vector<uint8_t> bytes;
};

Read read_some(TcpReadAhead& r, int fd, size_t len, WireTimestamps& log) {
    std::vector<uint8_t> buf(len);
    errno = 0;
    const ssize_t n = r.receive(fd, buf.data(), len, MSG_DONTWAIT, log);
    const int error = errno;
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return {n, error, buf};
}

/// The log keeps arrivals only of queries it saw leave.
void note_written(WireTimestamps& log, int fd, uint16_t id) {
    const std::vector<uint8_t> query = framed(id, 10);
    iovec iov{const_cast<uint8_t*>(query.data()), query.size()};
    log.on_write(fd, true, &iov, 1, query.size(), wire_now(),
                 [] { return std::optional<std::chrono::nanoseconds>(); });
}

std::vector<uint8_t> concat(std::initializer_list<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}

}  // namespace

TEST_CASE("one read takes every reply that arrived, and c-ares's reads are served in order",
          "[tcp_read_ahead]") {
    Connection c;
    TcpReadAhead ahead;
    WireTimestamps log;
    for (uint16_t id : {1, 2, 3}) note_written(log, c.client, id);
    c.send(concat({framed(1), framed(2), framed(3, 500)}));
    usleep(20'000);  // all of it in the socket before the first read

    // c-ares's pattern: the two-octet length, then the message.
    const Read len1 = read_some(ahead, c.client, 2, log);
    CHECK(len1.n == 2);
    CHECK(ahead.has_buffered(c.client));
    CHECK(ahead.buffered_sockets() == std::vector<int>{c.client});
    // The read that filled the buffer recorded every reply in it.
    for (uint16_t id : {1, 2, 3}) CHECK(log.take(id).arrived.has_value());

    std::vector<uint8_t> got = len1.bytes;
    while (ahead.has_buffered(c.client)) {
        const Read r = read_some(ahead, c.client, 7, log);  // any read size is served in order
        REQUIRE(r.n > 0);
        got.insert(got.end(), r.bytes.begin(), r.bytes.end());
    }
    CHECK(got == concat({framed(1), framed(2), framed(3, 500)}));
    CHECK(ahead.handed_over() == got.size());
    CHECK(ahead.buffered_sockets().empty());

    const Read none = read_some(ahead, c.client, 2, log);
    CHECK(none.n == -1);
    CHECK((none.error == EAGAIN || none.error == EWOULDBLOCK));
}

/// Linux's quick-ACK mode of `fd`: 1 when the next segment that arrives is acknowledged at once.
int quick_ack(int fd) {
    int v = -1;
    socklen_t len = sizeof v;
    REQUIRE(getsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &v, &len) == 0);
    return v;
}

TEST_CASE("every read from the socket asks the kernel to acknowledge the next segment at once",
          "[tcp_read_ahead]") {
    // A server that writes each reply of a pipelined stream with Nagle on waits for the ACK of
    // what it sent before; a delayed ACK (up to 40 ms) would hold every reply behind it.
    Connection c;
    TcpReadAhead ahead;
    WireTimestamps log;
    const int zero = 0;
    REQUIRE(setsockopt(c.client, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero) == 0);
    REQUIRE(quick_ack(c.client) == 0);  // delayed ACKs, as after a connection's first exchanges
    c.send(framed(1));
    usleep(20'000);
    CHECK(read_some(ahead, c.client, 2, log).n == 2);
    CHECK(quick_ack(c.client) == 1);

    // Reads served from the buffer make no system call and leave the mode as the last read set it.
    REQUIRE(setsockopt(c.client, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero) == 0);
    CHECK(read_some(ahead, c.client, 32, log).n == 32);
    CHECK(quick_ack(c.client) == 0);
}

TEST_CASE("a read larger than what is buffered gets what is buffered", "[tcp_read_ahead]") {
    Connection c;
    TcpReadAhead ahead;
    WireTimestamps log;
    c.send(framed(9, 40));
    usleep(20'000);
    CHECK(read_some(ahead, c.client, 2, log).n == 2);
    const Read rest = read_some(ahead, c.client, 4096, log);
    CHECK(rest.n == 42);
    CHECK_FALSE(ahead.has_buffered(c.client));
    // A message still on its way: the next read goes to the socket again.
    c.send(framed(10, 40));
    usleep(20'000);
    const Read next = read_some(ahead, c.client, 2, log);
    CHECK(next.bytes == std::vector<uint8_t>{0, 42});
}

TEST_CASE("the peer's close reaches the reader after every buffered octet", "[tcp_read_ahead]") {
    Connection c;
    TcpReadAhead ahead;
    WireTimestamps log;
    c.send(framed(4));
    ::shutdown(c.server, SHUT_WR);
    usleep(20'000);
    size_t total = 0;
    for (;;) {
        const Read r = read_some(ahead, c.client, 2, log);
        if (r.n <= 0) {
            CHECK(r.n == 0);  // end of stream, only once everything was handed over
            break;
        }
        total += static_cast<size_t>(r.n);
    }
    CHECK(total == framed(4).size());
}

TEST_CASE("a forgotten socket's buffer is dropped", "[tcp_read_ahead]") {
    Connection c;
    TcpReadAhead ahead;
    WireTimestamps log;
    c.send(concat({framed(5), framed(6)}));
    usleep(20'000);
    CHECK(read_some(ahead, c.client, 2, log).n == 2);
    REQUIRE(ahead.has_buffered(c.client));
    ahead.forget(c.client);
    CHECK_FALSE(ahead.has_buffered(c.client));
    CHECK(ahead.buffered_sockets().empty());
    const Read r = read_some(ahead, c.client, 2, log);  // the octets read ahead are gone
    CHECK(r.n == -1);
}
