#include "exporter/http_event_loop.hpp"

#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "exporter/http_listen_socket.hpp"
#include "exporter/http_server_metrics.hpp"

namespace nswatch {

namespace {

using Clock = HttpConnectionTable::Clock;
using Phase = HttpConnectionTable::Phase;
using namespace std::chrono_literals;

constexpr uint64_t kWakeId = 0;             ///< epoll data of the eventfd; listeners follow it
constexpr uint64_t kFirstConnId = 1 << 16;  ///< connection ids start above the listeners'
constexpr auto kScanEvery = 100ms;          ///< deadline resolution
constexpr auto kAcceptPause = 100ms;        ///< out of descriptors and nothing to push out
constexpr size_t kReadChunk = 16 * 1024;
/// A response this large (/metrics at 1,000 zones is 34 MB, built from ~24,000 metric objects)
/// leaves freed memory that glibc keeps resident: three times the daemon's working set after a
/// scrape. It is handed back to the OS after such a response; small ones are not worth the walk.
constexpr size_t kTrimAfterBytes = size_t{1} << 20;

struct Connection {
    int fd = -1;
    SSL* ssl = nullptr;        ///< HTTPS: the TLS session over fd
    bool handshaking = false;  ///< HTTPS: the handshake is not done yet
    std::string in;            ///< received, not yet parsed (at most one head and a chunk)
    std::string head, body;    ///< the response being sent
    size_t sent = 0;           ///< bytes of head + body sent
    bool close_after = false;
    bool peer_closed = false;  ///< the client shut down its side (a request may still be buffered)
    uint32_t events = 0;       ///< epoll interest now
};

}  // namespace

struct HttpEventLoop::Impl {
    Options options;
    HttpServerMetrics& metrics;
    HttpConnectionTable table;
    int epoll_fd = -1, wake_fd = -1;
    std::vector<int> listeners;
    std::vector<uint16_t> ports;
    std::unordered_map<uint64_t, Connection> connections;
    uint64_t next_id = kFirstConnId;
    bool accepting = true;
    Clock::time_point resume_accepting;

    std::atomic<bool> stop{false};
    std::unique_ptr<HttpWorkers> workers;
    std::thread loop;

    Impl(Options o, HttpServerMetrics& m)
        : options(std::move(o)), metrics(m), table(options.limits) {}
    ~Impl();

    void run();
    void wake() {
        const uint64_t one = 1;
        [[maybe_unused]] const ssize_t n = ::write(wake_fd, &one, sizeof one);
    }
    void set_interest(uint64_t id, Connection& c, uint32_t events);
    void set_accepting(bool on);
    void accept_from(int listener, Clock::time_point now);
    void on_readable(uint64_t id, Clock::time_point now);
    void next_request(uint64_t id, Clock::time_point now);
    void respond_now(uint64_t id, int status, const std::string& text, Clock::time_point now);
    void take_done(Clock::time_point now);
    void send_more(uint64_t id, Clock::time_point now);
    void close_connection(uint64_t id);
    /// HTTPS: advance the handshake; false when the connection was closed or must wait.
    bool handshake(uint64_t id, Connection& c);
    /// recv or SSL_read: > 0 bytes, 0 closed by the peer, -1 with errno (EAGAIN: wait).
    ssize_t receive(Connection& c, char* buffer, size_t size);
    /// sendmsg or SSL_write of the next part: bytes written, or -1 with errno (EAGAIN: wait).
    ssize_t transmit(Connection& c, iovec* parts, int count);
};

HttpEventLoop::HttpEventLoop(Options options, Handler handler, HttpServerMetrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), metrics)) {
    Impl& m = *impl_;
    // SSL_write writes with write(2), which raises SIGPIPE when the client has gone (sendmsg is
    // told MSG_NOSIGNAL; OpenSSL's socket BIO cannot be): a closed connection must not end the
    // daemon.
    if (m.options.tls) std::signal(SIGPIPE, SIG_IGN);
    m.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    m.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m.epoll_fd < 0 || m.wake_fd < 0) {
        throw std::runtime_error(std::string("epoll/eventfd: ") + std::strerror(errno));
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeId;
    epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.wake_fd, &ev);
    for (const ListenAddress& a : m.options.listen) {
        const int fd = open_listen_socket(a);  // throws, naming the address
        m.listeners.push_back(fd);
        m.ports.push_back(bound_port(fd));
        ev.data.u64 = m.listeners.size();
        epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    }
    m.workers = std::make_unique<HttpWorkers>(m.options.workers, std::move(handler), metrics,
                                              [&m] { m.wake(); });
    m.loop = std::thread([&m] { m.run(); });
}

HttpEventLoop::~HttpEventLoop() = default;

std::vector<uint16_t> HttpEventLoop::ports() const {
    return impl_->ports;
}

HttpEventLoop::Impl::~Impl() {
    stop = true;
    if (wake_fd >= 0) wake();
    if (loop.joinable()) loop.join();
    workers.reset();  // before the eventfd it wakes the loop with is closed
    for (auto& [id, c] : connections) {
        if (c.ssl != nullptr) SSL_free(c.ssl);
        ::close(c.fd);
    }
    for (int fd : listeners) ::close(fd);
    if (wake_fd >= 0) ::close(wake_fd);
    if (epoll_fd >= 0) ::close(epoll_fd);
}

void HttpEventLoop::Impl::run() {
    epoll_event events[256];
    Clock::time_point last_scan = Clock::now();
    while (!stop) {
        // With no connection and accepting there is no deadline to watch: sleep until a client
        // or stop() (the eventfd) wakes the loop, rather than waking ten times a second.
        const bool idle = connections.empty() && accepting;
        const int n =
            epoll_wait(epoll_fd, events, 256, idle ? -1 : static_cast<int>(kScanEvery.count()));
        const Clock::time_point now = Clock::now();
        for (int i = 0; i < n; ++i) {
            const uint64_t id = events[i].data.u64;
            if (id == kWakeId) {
                uint64_t count = 0;
                [[maybe_unused]] const ssize_t r = ::read(wake_fd, &count, sizeof count);
                take_done(now);
            } else if (id < kFirstConnId) {
                if (accepting) accept_from(listeners[id - 1], now);
            } else {
                const uint32_t e = events[i].events;
                if (e & EPOLLIN) on_readable(id, now);
                if ((e & EPOLLOUT) && connections.count(id)) {
                    Connection& c = connections.at(id);
                    if (c.handshaking) {
                        on_readable(id, now);  // the handshake wanted to write
                    } else {
                        send_more(id, now);
                    }
                }
                if ((e & (EPOLLERR | EPOLLHUP)) && connections.count(id)) close_connection(id);
            }
        }
        if (!accepting && now >= resume_accepting) set_accepting(true);
        if (now - last_scan >= kScanEvery) {
            last_scan = now;
            for (const auto& e : table.expired(now)) {
                metrics.timed_out(e.phase);
                close_connection(e.id);
            }
        }
    }
}

void HttpEventLoop::Impl::set_accepting(bool on) {
    accepting = on;
    for (size_t i = 0; i < listeners.size(); ++i) {
        epoll_event ev{};
        ev.events = on ? static_cast<uint32_t>(EPOLLIN) : 0U;
        ev.data.u64 = i + 1;
        epoll_ctl(epoll_fd, EPOLL_CTL_MOD, listeners[i], &ev);
    }
}

void HttpEventLoop::Impl::accept_from(int listener, Clock::time_point now) {
    // A bounded batch, so that a flood of connections cannot keep the loop from its clients.
    for (int k = 0; k < 64; ++k) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        const int fd = accept4(listener, reinterpret_cast<sockaddr*>(&peer), &length,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                // Out of descriptors: the longest-waiting connection makes room; with none, the
                // listeners rest (level-triggered epoll would otherwise spin on them).
                if (const auto victim = table.oldest_waiting()) {
                    metrics.evicted();
                    close_connection(*victim);
                    continue;
                }
                spdlog::warn("http: out of descriptors ({}); not accepting for {} ms",
                             std::strerror(errno), kAcceptPause.count());
                resume_accepting = now + kAcceptPause;
                set_accepting(false);
            }
            return;
        }
        metrics.accepted();
        const std::string client = client_key(peer);
        const auto admission = table.admit(client);
        if (admission.verdict != HttpConnectionTable::Verdict::accept) {
            metrics.rejected(admission.verdict);
            ::close(fd);
            continue;
        }
        if (admission.evict) {
            metrics.evicted();
            close_connection(*admission.evict);
        }
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const uint64_t id = next_id++;
        Connection& c = connections[id];
        c.fd = fd;
        if (options.tls) {
            c.ssl = SSL_new(options.tls.get());
            if (c.ssl == nullptr || SSL_set_fd(c.ssl, fd) != 1) {
                ERR_clear_error();
                if (c.ssl != nullptr) SSL_free(c.ssl);
                connections.erase(id);
                ::close(fd);
                continue;
            }
            SSL_set_accept_state(c.ssl);
            c.handshaking = true;
        }
        table.add(id, client, now);
        epoll_event ev{};
        ev.events = c.events = EPOLLIN;
        ev.data.u64 = id;
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
        metrics.open_connections(connections.size());
    }
}

void HttpEventLoop::Impl::set_interest(uint64_t id, Connection& c, uint32_t events) {
    if (c.events == events) return;
    epoll_event ev{};
    ev.events = c.events = events;
    ev.data.u64 = id;
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
}

void HttpEventLoop::Impl::on_readable(uint64_t id, Clock::time_point now) {
    const auto it = connections.find(id);
    if (it == connections.end()) return;
    Connection& c = it->second;
    if (c.handshaking && !handshake(id, c)) return;
    char buffer[kReadChunk];
    // Never more than one head and a chunk: the parser refuses a longer head anyway.
    while (c.in.size() <= options.max_head_bytes) {
        const ssize_t n = receive(c, buffer, sizeof buffer);
        if (n > 0) {
            c.in.append(buffer, static_cast<size_t>(n));
        } else if (n == 0) {
            c.peer_closed = true;
            set_interest(id, c, 0);
            break;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        } else {
            close_connection(id);
            return;
        }
    }
    if (table.phase(id) == Phase::idle && !c.in.empty()) {
        table.enter(id, Phase::reading_request, now);
    }
    next_request(id, now);
}

void HttpEventLoop::Impl::next_request(uint64_t id, Clock::time_point now) {
    Connection& c = connections.at(id);
    const Phase phase = *table.phase(id);
    if (phase == Phase::handling || phase == Phase::writing) return;
    HttpParse p = parse_request_head(c.in, options.max_head_bytes);
    if (p.status == HttpParse::Status::error) {
        respond_now(id, p.error_status, p.error_text, now);
        return;
    }
    if (p.status == HttpParse::Status::incomplete) {
        if (c.peer_closed) close_connection(id);
        return;
    }
    // A body is never read (every path is GET or HEAD): the connection closes after the answer
    // instead, so no deadline is needed for one.
    const bool close_after = !p.request.keep_alive || p.request.has_body || c.peer_closed;
    if (p.request.has_body) {
        c.in.clear();
    } else {
        c.in.erase(0, p.consumed);
    }
    table.enter(id, Phase::handling, now);
    set_interest(id, c, 0);
    workers->submit(id, std::move(p.request), close_after);
}

void HttpEventLoop::Impl::respond_now(uint64_t id, int status, const std::string& text,
                                      Clock::time_point now) {
    Connection& c = connections.at(id);
    c.body = text + "\n";
    c.head =
        format_response_head({status, "text/plain; charset=utf-8", c.body.size(), false, "", ""});
    c.sent = 0;
    c.close_after = true;
    c.in.clear();
    metrics.responded(status);
    table.enter(id, Phase::writing, now);
    send_more(id, now);
}

void HttpEventLoop::Impl::take_done(Clock::time_point now) {
    for (HttpWorkers::Finished& d : workers->take_finished()) {
        const auto it = connections.find(d.connection);
        if (it == connections.end()) continue;  // closed while its response was built
        Connection& c = it->second;
        c.head = std::move(d.head);
        c.body = std::move(d.body);
        c.sent = 0;
        c.close_after = d.close_after;
        table.enter(d.connection, Phase::writing, now);
        send_more(d.connection, now);
    }
}

void HttpEventLoop::Impl::send_more(uint64_t id, Clock::time_point now) {
    Connection& c = connections.at(id);
    const size_t total = c.head.size() + c.body.size();
    while (c.sent < total) {
        iovec parts[2];
        int count = 0;
        if (c.sent < c.head.size()) {
            parts[count++] = {c.head.data() + c.sent, c.head.size() - c.sent};
            if (!c.body.empty()) parts[count++] = {c.body.data(), c.body.size()};
        } else {
            const size_t off = c.sent - c.head.size();
            parts[count++] = {c.body.data() + off, c.body.size() - off};
        }
        const ssize_t n = transmit(c, parts, count);
        if (n >= 0) {
            c.sent += static_cast<size_t>(n);
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            set_interest(id, c, EPOLLOUT);
            return;
        } else {
            close_connection(id);
            return;
        }
    }
    const bool large = c.body.size() > kTrimAfterBytes;
    std::string().swap(c.head);
    std::string().swap(c.body);
    c.sent = 0;
    if (large) malloc_trim(0);
    if (c.close_after || c.peer_closed) {
        close_connection(id);
        return;
    }
    table.enter(id, c.in.empty() ? Phase::idle : Phase::reading_request, now);
    set_interest(id, c, EPOLLIN);
    if (!c.in.empty()) next_request(id, now);  // a pipelined request
}

void HttpEventLoop::Impl::close_connection(uint64_t id) {
    const auto it = connections.find(id);
    if (it == connections.end()) return;
    const int fd = it->second.fd;
    if (SSL* ssl = it->second.ssl) {
        if (!it->second.handshaking) SSL_shutdown(ssl);  // close_notify, without waiting
        SSL_free(ssl);
        ERR_clear_error();
    }
    // Unread input makes close() send a reset, which can destroy a response the client has not
    // read yet (a 4xx after an oversized head): shut down our side and drop what is queued.
    ::shutdown(fd, SHUT_WR);
    char sink[4096];
    for (int i = 0; i < 16 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
    }
    ::close(fd);
    connections.erase(it);
    table.remove(id);
    metrics.open_connections(connections.size());
}

bool HttpEventLoop::Impl::handshake(uint64_t id, Connection& c) {
    const int r = SSL_do_handshake(c.ssl);
    if (r == 1) {
        c.handshaking = false;
        set_interest(id, c, EPOLLIN);
        return true;
    }
    const int err = SSL_get_error(c.ssl, r);
    ERR_clear_error();
    if (err == SSL_ERROR_WANT_READ) {
        set_interest(id, c, EPOLLIN);
    } else if (err == SSL_ERROR_WANT_WRITE) {
        set_interest(id, c, EPOLLOUT);
    } else {
        close_connection(id);  // not TLS, or a handshake that failed: nothing to answer
    }
    return false;
}

ssize_t HttpEventLoop::Impl::receive(Connection& c, char* buffer, size_t size) {
    if (c.ssl == nullptr) return ::recv(c.fd, buffer, size, 0);
    const int n = SSL_read(c.ssl, buffer, static_cast<int>(size));
    if (n > 0) return n;
    const int err = SSL_get_error(c.ssl, n);
    ERR_clear_error();
    if (err == SSL_ERROR_ZERO_RETURN) return 0;
    errno = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? EAGAIN : ECONNRESET;
    return -1;
}

ssize_t HttpEventLoop::Impl::transmit(Connection& c, iovec* parts, int count) {
    if (c.ssl == nullptr) {
        msghdr msg{};
        msg.msg_iov = parts;
        msg.msg_iovlen = static_cast<size_t>(count);
        return ::sendmsg(c.fd, &msg, MSG_NOSIGNAL);
    }
    // SSL_write takes one buffer: the first part; send_more comes back for the rest.
    const int n = SSL_write(c.ssl, parts[0].iov_base, static_cast<int>(parts[0].iov_len));
    if (n > 0) return n;
    const int err = SSL_get_error(c.ssl, n);
    ERR_clear_error();
    errno = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? EAGAIN : EPIPE;
    return -1;
}

}  // namespace nswatch
