// Batched UDP I/O on real loopback sockets: queued queries leave only at the flush, one sendmmsg
// per socket, each socket's in order, with their send times; replies are read 32 at a time and
// handed over one by one in order with their source and arrival times; a socket's error reaches the
// next read; a closed socket's queue goes.
#include "prober/udp_batch.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <vector>

#include "loopback_socket.hpp"

using namespace nswatch;

namespace {

std::vector<uint8_t> message(uint16_t id, size_t body = 20) {
    std::vector<uint8_t> m{static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id & 0xff)};
    m.resize(2 + body, static_cast<uint8_t>(id));
    return m;
}

/// A UDP socket bound to 127.0.0.1 on a port of the kernel's choosing.
struct Socket {
    int fd = -1;
    sockaddr_in addr{};
    Socket() {
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        addr = test::bind_loopback(fd);
        enable_receive_timestamps(fd);
    }
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
    void connect_to(const Socket& other) const {
        REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&other.addr), sizeof other.addr) ==
                0);
    }
    void send_to(const Socket& other, const std::vector<uint8_t>& m) const {
        REQUIRE(::sendto(fd, m.data(), m.size(), 0, reinterpret_cast<const sockaddr*>(&other.addr),
                         sizeof other.addr) == static_cast<ssize_t>(m.size()));
    }
    /// A datagram waiting on this socket, or none.
    std::optional<std::vector<uint8_t>> take() const {
        std::vector<uint8_t> buf(4096);
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) return std::nullopt;
        buf.resize(static_cast<size_t>(n));
        return buf;
    }
};

struct Read {
    ssize_t n;
    int error;
    std::vector<uint8_t> bytes;
    sockaddr_in from;
};

Read read_one(UdpBatch& batch, int fd, WireTimestamps& log, size_t len = UdpBatch::kSlotSize) {
    std::vector<uint8_t> buf(len);
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    errno = 0;
    const ssize_t n = batch.receive(fd, buf.data(), buf.size(), 0,
                                    reinterpret_cast<sockaddr*>(&from), &from_len, log);
    const int error = errno;
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return {n, error, buf, from};
}

}  // namespace

TEST_CASE("queued datagrams leave at the flush, in order, each with its send time", "[udp_batch]") {
    Socket client, server;
    client.connect_to(server);
    UdpBatch batch;
    WireTimestamps log;
    std::vector<std::vector<uint8_t>> sent;
    for (uint16_t id = 1; id <= 40; ++id) {
        sent.push_back(message(id));
        iovec iov{sent.back().data(), sent.back().size()};
        CHECK(batch.queue(client.fd, &iov, 1, log) == static_cast<ssize_t>(sent.back().size()));
    }
    CHECK_FALSE(batch.send_full());          // 40 of kQueueMax
    CHECK_FALSE(server.take().has_value());  // nothing on the wire before the flush
    batch.flush();
    CHECK(batch.send_calls() == 2);  // 32 + 8
    for (uint16_t id = 1; id <= 40; ++id) {
        const auto got = server.take();
        REQUIRE(got.has_value());
        CHECK(*got == sent[id - 1]);
        CHECK(log.take(id).written.has_value());
    }
    CHECK_FALSE(server.take().has_value());
    CHECK(batch.pending_errors().empty());
}

TEST_CASE("datagrams queued in turn for several sockets leave in one sendmmsg per socket",
          "[udp_batch]") {
    // A round asks each of a zone's addresses in turn: the queue alternates between sockets.
    Socket a, b, c, server_a, server_b, server_c;
    a.connect_to(server_a);
    b.connect_to(server_b);
    c.connect_to(server_c);
    UdpBatch batch;
    WireTimestamps log;
    std::vector<std::vector<uint8_t>> sent;
    sent.reserve(90);
    for (uint16_t id = 1; id <= 90; ++id) {
        sent.push_back(message(id));
        iovec iov{sent.back().data(), sent.back().size()};
        const int fd = id % 3 == 1 ? a.fd : id % 3 == 2 ? b.fd : c.fd;
        batch.queue(fd, &iov, 1, log);
    }
    batch.flush();
    CHECK(batch.send_calls() == 3);
    const Socket* servers[] = {&server_a, &server_b, &server_c};
    for (int k = 0; k < 3; ++k) {
        for (uint16_t id = static_cast<uint16_t>(k + 1); id <= 90; id += 3) {
            const auto got = servers[k]->take();
            REQUIRE(got.has_value());
            CHECK(*got == sent[id - 1]);  // each socket's datagrams in the order queued
            CHECK(log.take(id).written.has_value());
        }
        CHECK_FALSE(servers[k]->take().has_value());
    }
}

TEST_CASE("send_full asks for a flush at kQueueMax datagrams", "[udp_batch]") {
    Socket client, server;
    client.connect_to(server);
    UdpBatch batch;
    WireTimestamps log;
    const auto m = message(7);
    iovec iov{const_cast<uint8_t*>(m.data()), m.size()};
    for (size_t i = 1; i < UdpBatch::kQueueMax; ++i) batch.queue(client.fd, &iov, 1, log);
    CHECK_FALSE(batch.send_full());
    batch.queue(client.fd, &iov, 1, log);
    CHECK(batch.send_full());
    batch.flush();
    CHECK_FALSE(batch.send_full());
    CHECK(batch.send_calls() == UdpBatch::kQueueMax / UdpBatch::kBatch);
}

TEST_CASE("replies are read ahead and handed over one by one with source and arrival time",
          "[udp_batch]") {
    Socket client, server;
    UdpBatch batch;
    WireTimestamps log;
    for (uint16_t id = 1; id <= 70; ++id) {
        auto query = message(id);  // the log keeps arrivals of queries it saw leave
        iovec iov{query.data(), query.size()};
        log.on_write(client.fd, false, &iov, 1, query.size(), wire_now(),
                     [] { return std::optional<std::chrono::nanoseconds>(); });
        server.send_to(client, message(id));
    }
    for (uint16_t id = 1; id <= 70; ++id) {
        const Read r = read_one(batch, client.fd, log);
        REQUIRE(r.n == 22);
        CHECK(r.bytes == message(id));
        CHECK(r.from.sin_port == server.addr.sin_port);
        CHECK(r.from.sin_addr.s_addr == server.addr.sin_addr.s_addr);
        CHECK(log.take(id).arrived.has_value());
    }
    const Read last = read_one(batch, client.fd, log);
    CHECK(last.n == -1);
    CHECK((last.error == EAGAIN || last.error == EWOULDBLOCK));
    CHECK_FALSE(batch.any_buffered());
    CHECK(batch.handed_over() == 70);
}

TEST_CASE("the read after a batch that emptied its socket says EAGAIN without reading again",
          "[udp_batch]") {
    Socket client, server;
    UdpBatch batch;
    WireTimestamps log;
    server.send_to(client, message(1));
    server.send_to(client, message(2));
    CHECK(read_one(batch, client.fd, log).bytes == message(1));  // one recvmmsg took both
    CHECK(read_one(batch, client.fd, log).bytes == message(2));
    // A datagram arriving now is not read by the next call: that call only tells c-ares the
    // batch is over. The socket stays readable, so the engine's next wait reads it.
    server.send_to(client, message(3));
    const Read over = read_one(batch, client.fd, log);
    CHECK(over.n == -1);
    CHECK((over.error == EAGAIN || over.error == EWOULDBLOCK));
    CHECK(read_one(batch, client.fd, log).bytes == message(3));
    const Read empty = read_one(batch, client.fd, log);
    CHECK(empty.n == -1);
    CHECK((empty.error == EAGAIN || empty.error == EWOULDBLOCK));
    CHECK(batch.handed_over() == 3);
}

TEST_CASE("a full batch does not stand for an empty socket", "[udp_batch]") {
    Socket client, server;
    UdpBatch batch;
    WireTimestamps log;
    for (uint16_t id = 1; id <= UdpBatch::kBatch; ++id) server.send_to(client, message(id));
    for (uint16_t id = 1; id <= UdpBatch::kBatch; ++id) {
        CHECK(read_one(batch, client.fd, log).bytes == message(id));
    }
    server.send_to(client, message(99));
    CHECK(read_one(batch, client.fd, log).bytes == message(99));  // read again: it may hold more
}

TEST_CASE("a short read buffer truncates a datagram as recvfrom would", "[udp_batch]") {
    Socket client, server;
    UdpBatch batch;
    WireTimestamps log;
    server.send_to(client, message(7, 100));
    const Read r = read_one(batch, client.fd, log, 10);
    CHECK(r.n == 10);
    const auto whole = message(7, 100);
    CHECK(r.bytes == std::vector<uint8_t>(whole.begin(), whole.begin() + 10));
}

TEST_CASE("replies left when another socket is read are kept for their socket", "[udp_batch]") {
    Socket a, b, server;
    UdpBatch batch;
    WireTimestamps log;
    for (uint16_t id = 1; id <= 3; ++id) server.send_to(a, message(id));
    for (uint16_t id = 11; id <= 13; ++id) server.send_to(b, message(id));
    CHECK(read_one(batch, a.fd, log).bytes == message(1));
    CHECK(read_one(batch, b.fd, log).bytes == message(11));
    CHECK(batch.has_buffered(a.fd));
    CHECK(batch.has_buffered(b.fd));
    CHECK(batch.buffered_sockets() == std::vector<int>{std::min(a.fd, b.fd), std::max(a.fd, b.fd)});
    CHECK(read_one(batch, a.fd, log).bytes == message(2));
    CHECK(read_one(batch, a.fd, log).bytes == message(3));
    CHECK(read_one(batch, a.fd, log).n == -1);
    CHECK(read_one(batch, b.fd, log).bytes == message(12));
    CHECK(read_one(batch, b.fd, log).bytes == message(13));
    CHECK(read_one(batch, b.fd, log).n == -1);
    CHECK_FALSE(batch.any_buffered());
}

TEST_CASE("a socket's send error is handed to the next read of that socket", "[udp_batch]") {
    Socket client;
    sockaddr_in closed{};
    {
        Socket gone;  // a port nobody listens on once this socket is closed
        closed = gone.addr;
    }
    REQUIRE(::connect(client.fd, reinterpret_cast<sockaddr*>(&closed), sizeof closed) == 0);
    UdpBatch batch;
    WireTimestamps log;
    auto first = message(1);
    iovec iov{first.data(), first.size()};
    batch.queue(client.fd, &iov, 1, log);
    batch.flush();  // goes out; the port unreachable comes back on the socket
    auto second = message(2);
    iovec iov2{second.data(), second.size()};
    batch.queue(client.fd, &iov2, 1, log);
    batch.flush();  // the kernel reports the error on this send
    REQUIRE(batch.pending_errors().count(client.fd) == 1);
    CHECK(batch.pending_errors().at(client.fd) == ECONNREFUSED);
    CHECK(batch.has_buffered(client.fd));
    const Read r = read_one(batch, client.fd, log);
    CHECK(r.n == -1);
    CHECK(r.error == ECONNREFUSED);
    CHECK(batch.pending_errors().empty());
}

TEST_CASE("a closed socket's queued datagrams and read replies are dropped", "[udp_batch]") {
    Socket client, server, other;
    client.connect_to(server);
    UdpBatch batch;
    WireTimestamps log;
    auto m = message(5);
    iovec iov{m.data(), m.size()};
    batch.queue(client.fd, &iov, 1, log);
    batch.forget(client.fd);
    batch.flush();
    CHECK_FALSE(server.take().has_value());

    server.send_to(other, message(6));
    server.send_to(other, message(7));
    CHECK(read_one(batch, other.fd, log).bytes == message(6));
    CHECK(batch.any_buffered());
    batch.forget(other.fd);
    CHECK_FALSE(batch.any_buffered());
}
