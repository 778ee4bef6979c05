#include "prober/engine.hpp"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <queue>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "prober/local_failure.hpp"
#include "prober/query.hpp"
#include "prober/reply_forensics.hpp"
#include "prober/response.hpp"
#include "prober/wire_timestamps.hpp"

namespace nswatch {

namespace {

using Clock = std::chrono::steady_clock;

struct LibraryInit {
    LibraryInit() {
        if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
            throw std::runtime_error("c-ares library initialisation failed");
        }
    }
    ~LibraryInit() { ares_library_cleanup(); }
};

struct ChannelKey {
    std::string vantage;
    std::string address;
    uint16_t port;
    Transport transport;
    long timeout_ms;
    bool operator==(const ChannelKey&) const = default;
};

struct ChannelKeyHash {
    size_t operator()(const ChannelKey& k) const {
        return std::hash<std::string>()(k.vantage) ^ (std::hash<std::string>()(k.address) << 1) ^
               (static_cast<size_t>(k.port) << 17) ^ (static_cast<size_t>(k.transport) << 33) ^
               (static_cast<size_t>(k.timeout_ms) << 35);
    }
};

/// Set of 16-bit query IDs: a bitmap (8 KiB), no allocation per query.
class IdSet {
  public:
    bool insert(uint16_t id) {
        uint64_t& word = bits_[id >> 6];
        const uint64_t bit = uint64_t{1} << (id & 63);
        if (word & bit) return false;
        word |= bit;
        return true;
    }
    void erase(uint16_t id) { bits_[id >> 6] &= ~(uint64_t{1} << (id & 63)); }

  private:
    std::vector<uint64_t> bits_ = std::vector<uint64_t>(65536 / 64);
};

}  // namespace

struct Channel {
    ProbeEngine::Impl* impl = nullptr;
    ares_channel ares = nullptr;
    Transport transport = Transport::udp;
    size_t outstanding = 0;
    Clock::time_point next_wakeup = Clock::time_point::max();
    Clock::time_point last_used{};  ///< when a probe was last sent on it (for the idle sweep)
    Vantage vantage;                ///< where this channel's sockets leave from
    std::unordered_map<ares_socket_t, int> socket_types;  ///< fd -> SOCK_DGRAM / SOCK_STREAM
    ReplyLog replies;                                     ///< what arrived recently, for forensics
    IdSet ids_in_use;                                     ///< IDs of this channel's open queries
    WireTimestamps wire;  ///< when each open query was written and its reply arrived
    int open_errno = 0;  ///< errno of this channel's last failed socket(), until a probe reports it

    /// A TCP connection of this channel is open (c-ares keeps it between probes: STAYOPEN).
    bool stream_open() const {
        for (const auto& [fd, type] : socket_types) {
            if (type == SOCK_STREAM) return true;
        }
        return false;
    }
};

struct Pending {
    ProbeEngine::Impl* impl = nullptr;
    Channel* channel = nullptr;
    ProbeCallback callback;
    ProbeResult result;  ///< holds the request's target and query
    std::chrono::milliseconds timeout{0};
    bool retry_truncated_over_tcp = true;
    bool ok_extra_sections = true;
    uint16_t id = 0;  ///< the query ID on the wire
    /// Sent over a TCP connection that was already open (kept from an earlier probe).
    bool on_kept_connection = false;
};

/// A finished probe whose callback has not run yet (callbacks run after ares_process_fd returns).
struct Ready {
    ProbeCallback callback;
    ProbeResult result;
    std::optional<ProbeRequest> retry;  ///< TC retry over TCP, submitted after the callback
    /// The probe failed on a kept TCP connection the server had closed: `retry` is the same probe,
    /// sent again on a new connection, and the callback waits for that result instead.
    bool resend = false;
};

struct ProbeEngine::Impl {
    LibraryInit library;
    std::vector<Vantage> vantages;
    int epoll_fd = -1;
    std::unordered_map<ChannelKey, std::unique_ptr<Channel>, ChannelKeyHash> channels;
    std::unordered_map<ares_socket_t, Channel*> socket_owner;
    using Wakeup = std::pair<Clock::time_point, Channel*>;
    std::priority_queue<Wakeup, std::vector<Wakeup>, std::greater<>> wakeups;
    size_t outstanding = 0;    ///< probes waiting, in flight, or finished with callback not yet run
    size_t on_wire = 0;        ///< probes sent and not finished
    size_t max_in_flight = 0;  ///< 0: no limit
    size_t max_channels = 0;   ///< 0: no limit (set_max_open_channels)
    std::deque<std::pair<ProbeRequest, ProbeCallback>> waiting;  ///< held back by the limit
    bool destroying = false;
    EngineStats stats;
    std::chrono::milliseconds idle_channel_limit{kDefaultIdleChannelLimit};
    Clock::time_point next_sweep{};
    std::vector<Ready> ready;  ///< finished probes, callbacks pending
    std::vector<Ready> spare;  ///< an empty buffer kept to reuse its capacity
    /// Larger spare buffers are freed. Above a window of probes finishing in one pass (hundreds):
    /// growing the buffer again every pass moved each Ready and, past glibc's mmap threshold,
    /// page-faulted fresh memory (a fifth of the sweep benchmark's CPU at a window of 500).
    static constexpr size_t kSpareMax = 2048;

    // Query IDs: drawn from a buffer refilled by arc4random_buf, not one arc4random per probe.
    std::array<uint16_t, 256> id_pool{};
    size_t id_next = id_pool.size();

    // Wire-format queries by (name, type, flags); the ID is patched into a copy. Reuse is within a
    // zone's round (its probes are sent together): a few rounds' questions are enough.
    static constexpr size_t kQueryCacheMax = 1024;
    std::unordered_map<std::string, std::vector<uint8_t>> query_cache;
    std::string query_key;            ///< scratch key (capacity reused)
    std::vector<uint8_t> query_wire;  ///< scratch wire buffer (capacity reused)

    // The last channel used: most submits go to the same one.
    Channel* last_channel = nullptr;
    const ChannelKey* last_key = nullptr;

    const Vantage& vantage(const std::string& name) const {
        for (const auto& v : vantages) {
            if (v.name == name || name.empty()) return v;
        }
        throw std::invalid_argument("unknown vantage '" + name + "'");
    }

    Channel& channel_for(const ProbeRequest& r);
    void sweep_idle_channels(Clock::time_point now);
    void close_least_recent_idle_channel();
    void schedule(Channel& ch, Clock::time_point when);
    void reschedule_from_ares(Channel& ch);
    void submit(ProbeRequest request, ProbeCallback callback);
    void enqueue(ProbeRequest request, ProbeCallback callback);
    void send_waiting();
    void finish(Pending* p, int status, const unsigned char* abuf, int alen);
    size_t deliver();

    uint16_t next_id() {
        if (id_next == id_pool.size()) {
            arc4random_buf(id_pool.data(), sizeof id_pool);
            id_next = 0;
        }
        return id_pool[id_next++];
    }

    const std::vector<uint8_t>& query_bytes(const Query& q, uint16_t id);
};

namespace {

// --- c-ares socket functions: plain system calls that also remember what was received.

// c-ares 1.18 configures none of the sockets it gets from a user-supplied asocket (no O_NONBLOCK,
// no local address, no device): that is all done here. A blocking socket would hang the loop in
// recvfrom as soon as c-ares drains a socket after a reply it drops.
ares_socket_t sock_open(int domain, int type, int protocol, void* user) {
    auto* ch = static_cast<Channel*>(user);
    const int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0) {
        ch->open_errno = errno;  // finish() tells a local cause (no descriptor) from the server's
        return ARES_SOCKET_BAD;
    }
    if (type == SOCK_STREAM) {
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    } else {
        // The default receive buffer (~208 KiB) overflows when hundreds of replies arrive at once,
        // and each dropped reply costs a full timeout. Failure (a lower rmem_max) is not an error:
        // the kernel then caps the size.
        const int rcv = 4 << 20;
        const int snd = 1 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
    }
    const Vantage& v = ch->vantage;
    if (!v.interface.empty() && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, v.interface.c_str(),
                                           static_cast<socklen_t>(v.interface.size())) != 0) {
        ::close(fd);
        return ARES_SOCKET_BAD;
    }
    int bound = 0;
    if (domain == AF_INET && !v.source_ipv4.empty()) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        inet_pton(AF_INET, v.source_ipv4.c_str(), &sa.sin_addr);
        bound = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    } else if (domain == AF_INET6 && !v.source_ipv6.empty()) {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        inet_pton(AF_INET6, v.source_ipv6.c_str(), &sa.sin6_addr);
        bound = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    }
    if (bound != 0) {
        ::close(fd);
        return ARES_SOCKET_BAD;
    }
    enable_receive_timestamps(fd);
    ch->socket_types[fd] = type;
    return fd;
}

int sock_close(ares_socket_t fd, void* user) {
    auto* ch = static_cast<Channel*>(user);
    ch->socket_types.erase(fd);
    ch->replies.closed(fd);
    ch->wire.on_close(fd);
    return ::close(fd);
}

int sock_connect(ares_socket_t fd, const struct sockaddr* addr, ares_socklen_t len, void*) {
    return ::connect(fd, addr, len);
}

ares_ssize_t sock_recvfrom(ares_socket_t fd, void* buf, size_t len, int flags,
                           struct sockaddr* from, ares_socklen_t* from_len, void* user) {
    auto* ch = static_cast<Channel*>(user);
    const bool stream = ch->socket_types[fd] == SOCK_STREAM;
    const ares_ssize_t n = timed_recvfrom(ch->wire, fd, stream, buf, len, flags, from, from_len);
    if (n > 0) {
        ch->replies.record(fd, stream, static_cast<const uint8_t*>(buf), static_cast<size_t>(n),
                           Clock::now());
    }
    return n;
}

// c-ares 1.18 hands over every query queued on a TCP connection in one call, an iovec each: beyond
// IOV_MAX, writev fails with EINVAL, and c-ares then closes the connection and fails every query
// on it (each one resent, and failed again behind the others: quadratic, and most never answered).
// A partial write is one c-ares expects: it resumes from the first byte not sent.
ares_ssize_t sock_sendv(ares_socket_t fd, const struct iovec* iov, int iovcnt, void* user) {
    auto* ch = static_cast<Channel*>(user);
    return timed_writev(ch->wire, fd, ch->socket_types[fd] == SOCK_STREAM, iov,
                        std::min(iovcnt, IOV_MAX));
}

const struct ares_socket_functions kSocketFunctions = {sock_open, sock_close, sock_connect,
                                                       sock_recvfrom, sock_sendv};

void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* ch = static_cast<Channel*>(data);
    auto* impl = ch->impl;
    if (impl->destroying) return;
    epoll_event ev{};
    ev.data.fd = fd;
    ev.events = (readable ? uint32_t{EPOLLIN} : 0u) | (writable ? uint32_t{EPOLLOUT} : 0u);
    if (readable || writable) {
        const bool known = impl->socket_owner.count(fd) != 0;
        impl->socket_owner[fd] = ch;
        if (epoll_ctl(impl->epoll_fd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0 &&
            errno == EEXIST) {
            epoll_ctl(impl->epoll_fd, EPOLL_CTL_MOD, fd, &ev);
        }
    } else {
        impl->socket_owner.erase(fd);
        epoll_ctl(impl->epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    }
}

// A server that answers another question over TCP and then closes the connection: c-ares drops
// the reply, sees the connection end and reports ARES_ECONNREFUSED ("Could not contact DNS
// servers"). What the socket received says what really happened, not that error. Only replies that
// are the server's fault whoever they were for count here: one with our ID and another question, or
// bytes that do not parse. A reply with another ID may be the good answer to another probe
// pipelined on the same connection before the server closed it.
void explain_connection_failure(const ReplyLog& replies, uint16_t id, ProbeResult& r) {
    const Verdict v = replies.explain(r.query, id, r.sent_mono);
    if (v.outcome != Outcome::question_mismatch && v.outcome != Outcome::malformed) return;
    r.outcome = v.outcome;
    r.detail = v.detail + " (then the connection failed)";
    r.reply_size = v.reply_size;
}

void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    auto* p = static_cast<Pending*>(arg);
    p->impl->finish(p, status, abuf, alen);
}

}  // namespace

Channel& ProbeEngine::Impl::channel_for(const ProbeRequest& r) {
    if (last_key != nullptr && last_key->port == r.target.port &&
        last_key->transport == r.target.transport && last_key->timeout_ms == r.timeout.count() &&
        last_key->address == r.target.address && last_key->vantage == r.target.vantage) {
        return *last_channel;
    }
    ChannelKey key{r.target.vantage, r.target.address, r.target.port, r.target.transport,
                   static_cast<long>(r.timeout.count())};
    auto it = channels.find(key);
    if (it != channels.end()) {
        last_key = &it->first;
        last_channel = it->second.get();
        return *it->second;
    }

    if (max_channels != 0 && channels.size() >= max_channels) close_least_recent_idle_channel();
    auto ch = std::make_unique<Channel>();
    // Looked up before any c-ares state exists, so an unknown vantage leaks nothing. The source
    // address and device are applied in sock_open (c-ares 1.18 skips its own socket setup there).
    ch->vantage = vantage(r.target.vantage);
    ch->impl = this;
    ch->transport = r.target.transport;
    ares_options opts{};
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
    opts.flags = ARES_FLAG_IGNTC | ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH |
                 ARES_FLAG_NOALIASES | ARES_FLAG_PRIMARY | ARES_FLAG_STAYOPEN |
                 (r.target.transport == Transport::tcp ? ARES_FLAG_USEVC : 0);
    opts.timeout = static_cast<int>(r.timeout.count());
    opts.tries = 1;
    opts.sock_state_cb = on_socket_state;
    opts.sock_state_cb_data = ch.get();
    if (const int status = ares_init_options(&ch->ares, &opts, mask); status != ARES_SUCCESS) {
        // c-ares reads /etc/resolv.conf here: with no descriptor left that fails, and the cause
        // is this host's, not the server's.
        const auto cause = local_cause(errno);
        const std::string what =
            std::string("c-ares channel initialisation failed: ") + ares_strerror(status);
        if (cause || status == ARES_ENOMEM || status == ARES_EFILE)
            throw LocalFailure(what + (cause ? ": " + *cause : std::string()));
        throw std::runtime_error(what);
    }
    ares_set_socket_functions(ch->ares, &kSocketFunctions, ch.get());

    ares_addr_port_node server{};
    server.next = nullptr;
    const bool v6 = r.target.address.find(':') != std::string::npos;
    server.family = v6 ? AF_INET6 : AF_INET;
    const int ok = inet_pton(
        server.family, r.target.address.c_str(),
        v6 ? static_cast<void*>(&server.addr.addr6) : static_cast<void*>(&server.addr.addr4));
    if (ok != 1) {
        ares_destroy(ch->ares);
        throw std::invalid_argument("not an IP address: '" + r.target.address + "'");
    }
    server.udp_port = r.target.port;
    server.tcp_port = r.target.port;
    ares_set_servers_ports(ch->ares, &server);

    Channel& ref = *ch;
    auto [pos, inserted] = channels.emplace(std::move(key), std::move(ch));
    last_key = &pos->first;  // node-based map: the key's address is stable
    last_channel = &ref;
    ++stats.channels;
    return ref;
}

void ProbeEngine::Impl::schedule(Channel& ch, Clock::time_point when) {
    // One wake-up per channel is enough: processing a channel handles all its expired queries and
    // re-arms it from c-ares' own idea of the next timeout.
    if (when >= ch.next_wakeup && ch.next_wakeup > Clock::now()) return;
    ch.next_wakeup = when;
    wakeups.emplace(when, &ch);
}

void ProbeEngine::Impl::reschedule_from_ares(Channel& ch) {
    if (ch.outstanding == 0) {
        ch.next_wakeup = Clock::time_point::max();
        return;
    }
    timeval tv{};
    if (ares_timeout(ch.ares, nullptr, &tv) != nullptr) {
        const auto delay = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
        ch.next_wakeup = Clock::time_point::max();
        schedule(ch, Clock::now() + delay + std::chrono::milliseconds(1));
    }
}

const std::vector<uint8_t>& ProbeEngine::Impl::query_bytes(const Query& q, uint16_t id) {
    query_key.assign(q.name);
    query_key.push_back('\0');
    query_key.push_back(static_cast<char>(q.type >> 8));
    query_key.push_back(static_cast<char>(q.type & 0xff));
    query_key.push_back(static_cast<char>(q.edns_buffer_size >> 8));
    query_key.push_back(static_cast<char>(q.edns_buffer_size & 0xff));
    query_key.push_back(static_cast<char>((q.recursion_desired ? 1 : 0) | (q.edns ? 2 : 0) |
                                          (q.nsid ? 4 : 0) | (q.dnssec_ok ? 8 : 0)));
    // Every field build_query reads is in the key: the EDNS probes differ from the plain SOA
    // query only in these.
    query_key.push_back(static_cast<char>(q.edns_version));
    for (const auto& o : q.edns_options) {
        query_key.push_back(static_cast<char>(o.code >> 8));
        query_key.push_back(static_cast<char>(o.code & 0xff));
        query_key.push_back(static_cast<char>(o.data.size() >> 8));
        query_key.push_back(static_cast<char>(o.data.size() & 0xff));
        query_key.append(o.data.begin(), o.data.end());
    }
    auto it = query_cache.find(query_key);
    if (it == query_cache.end()) {
        std::vector<uint8_t> wire = build_query(q, 0);  // throws for a name ldns cannot parse
        // Emptied when full, not one entry evicted: begin() is often the entry just inserted (a
        // new bucket's node goes first), which is the one the round's next probes ask again.
        if (query_cache.size() >= kQueryCacheMax) query_cache.clear();
        it = query_cache.emplace(query_key, std::move(wire)).first;
    }
    query_wire.assign(it->second.begin(), it->second.end());
    query_wire[0] = static_cast<uint8_t>(id >> 8);
    query_wire[1] = static_cast<uint8_t>(id & 0xff);
    return query_wire;
}

void ProbeEngine::Impl::submit(ProbeRequest request, ProbeCallback callback) {
    auto* p = new Pending;
    p->impl = this;
    p->callback = std::move(callback);
    p->timeout = request.timeout;
    p->retry_truncated_over_tcp = request.retry_truncated_over_tcp;
    p->ok_extra_sections = request.ok_extra_sections;
    const std::vector<uint8_t>* wire = nullptr;
    try {
        p->channel = &channel_for(request);
        // c-ares 1.18 sends the ID it is given: draw an unpredictable one (spoofing resistance,
        // RFC 5452), unique among the channel's open queries so c-ares can match replies.
        do {
            p->id = next_id();
        } while (!p->channel->ids_in_use.insert(p->id));
        wire = &query_bytes(request.query, p->id);
    } catch (const std::exception& e) {
        if (p->channel != nullptr) p->channel->ids_in_use.erase(p->id);
        p->result.target = std::move(request.target);
        p->result.query = std::move(request.query);
        p->result.outcome = dynamic_cast<const LocalFailure*>(&e) != nullptr
                                ? Outcome::local_error
                                : Outcome::network_error;
        p->result.detail = e.what();
        p->result.sent_wall = std::chrono::system_clock::now();
        p->result.sent_mono = Clock::now();
        auto cb = std::move(p->callback);
        ProbeResult r = std::move(p->result);
        delete p;
        cb(r);
        return;
    }
    p->result.target = std::move(request.target);
    p->result.query = std::move(request.query);
    p->on_kept_connection = p->channel->transport == Transport::tcp && p->channel->stream_open();
    ++outstanding;
    ++on_wire;
    ++p->channel->outstanding;
    p->channel->last_used = Clock::now();
    ++stats.sent;
    p->result.sent_wall = std::chrono::system_clock::now();
    p->result.sent_mono = Clock::now();
    schedule(*p->channel, p->result.sent_mono + p->timeout + std::chrono::milliseconds(1));
    ares_send(p->channel->ares, wire->data(), static_cast<int>(wire->size()), on_answer, p);
}

void ProbeEngine::Impl::finish(Pending* p, int status, const unsigned char* abuf, int alen) {
    std::unique_ptr<Pending> owner(p);
    if (destroying) return;
    Channel& ch = *p->channel;
    --ch.outstanding;
    --on_wire;
    ch.ids_in_use.erase(p->id);
    ++stats.completed;
    ProbeResult& r = p->result;
    // RTT from the wire: write to arrival at the socket. The loop's own measurement (submit to
    // here, which includes whatever the loop did for other probes meanwhile) is the fallback when
    // the wire recorded nothing for this query; see prober/wire_timestamps.hpp.
    set_probe_times(r, ch.wire.take(p->id), status == ARES_SUCCESS && abuf != nullptr,
                    Clock::now() - r.sent_mono);

    if (status == ARES_SUCCESS && abuf != nullptr) {
        ReplyExpectation expect;
        expect.query = &r.query;
        expect.expect_authoritative = !r.query.recursion_desired;
        expect.ok_extra_sections = p->ok_extra_sections;
        parse_reply(std::span<const uint8_t>(abuf, static_cast<size_t>(alen)), expect, r);
    } else if (status == ARES_ETIMEOUT) {
        // c-ares drops replies it cannot match; look at what arrived to say why nothing matched.
        const Verdict v = ch.replies.explain_timeout(r.query, p->id, r.sent_mono);
        r.outcome = v.outcome;
        r.detail = v.detail;
        r.reply_size = v.reply_size;
    } else if (status == ARES_EBADRESP) {
        r.outcome = Outcome::malformed;
        r.detail = "c-ares rejected the reply as malformed";
    } else {
        r.outcome = Outcome::network_error;
        r.detail = ares_strerror(status);
        if (ch.open_errno != 0) {
            // The query ended because its socket could not be opened: say why, if it is local.
            if (const auto cause = local_cause(ch.open_errno)) {
                r.outcome = Outcome::local_error;
                r.detail = *cause;
            }
            ch.open_errno = 0;
        }
        explain_connection_failure(ch.replies, p->id, r);
    }

    if (r.outcome == Outcome::network_error && p->on_kept_connection) {
        // The server closed the kept connection (its idle timeout) just as this probe was written
        // to it: that says nothing about the server, so send the probe again on a new connection.
        // The new one is not a kept connection, so this happens at most once per probe.
        Ready& again = ready.emplace_back();
        again.resend = true;
        again.callback = std::move(p->callback);
        again.retry = ProbeRequest{std::move(r.target), std::move(r.query), p->timeout,
                                   p->retry_truncated_over_tcp, p->ok_extra_sections};
        return;
    }

    // The callback runs later, from run_once, after c-ares has returned: a callback that submits
    // then cannot keep ares_process_fd reading and sending for ever. `outstanding` still counts
    // this probe until its callback has run.
    Ready& done = ready.emplace_back();
    if (r.outcome == Outcome::truncated && r.target.transport == Transport::udp &&
        p->retry_truncated_over_tcp) {
        ProbeRequest again;
        again.target = r.target;
        again.target.transport = Transport::tcp;
        again.query = r.query;
        again.timeout = p->timeout;
        again.retry_truncated_over_tcp = p->retry_truncated_over_tcp;
        again.ok_extra_sections = p->ok_extra_sections;
        done.retry = std::move(again);
    }
    done.callback = std::move(p->callback);
    done.result = std::move(r);
}

// Run the callbacks of the probes that finished so far (not those that finish meanwhile, so that
// run_once returns), then submit their TC retries. Returns how many were delivered.
size_t ProbeEngine::Impl::deliver() {
    if (ready.empty()) return 0;
    std::vector<Ready> batch;
    batch.swap(ready);
    ready.swap(spare);  // spare is empty: reuse its capacity
    for (Ready& d : batch) {
        --outstanding;
        if (d.resend) {
            enqueue(std::move(*d.retry), std::move(d.callback));
            continue;
        }
        d.callback(d.result);
        if (d.retry) {
            ProbeCallback cb = std::move(d.callback);
            enqueue(std::move(*d.retry), [cb = std::move(cb)](ProbeResult& tcp) {
                tcp.retried_from_tc = true;
                cb(tcp);
            });
        }
    }
    const size_t n = batch.size();
    batch.clear();
    if (batch.capacity() > spare.capacity()) spare.swap(batch);
    // A burst (a round of thousands of probes timing out together) would keep its buffer for ever:
    // beyond kSpareMax it goes, and a later burst grows one again.
    if (spare.capacity() > kSpareMax) std::vector<Ready>().swap(spare);
    return n;
}

// Destroy the channels nothing was sent on for idle_channel_limit: their kept sockets (STAYOPEN)
// would otherwise hold a descriptor per address and transport for ever, and a kept TCP connection
// the server has long closed on its side is worth nothing.
void ProbeEngine::Impl::sweep_idle_channels(Clock::time_point now) {
    next_sweep = now + std::max(idle_channel_limit / 4, std::chrono::milliseconds(10));
    std::vector<Channel*> gone;
    for (auto it = channels.begin(); it != channels.end();) {
        Channel& ch = *it->second;
        if (ch.outstanding == 0 && now - ch.last_used >= idle_channel_limit) {
            gone.push_back(&ch);
            ares_destroy(ch.ares);  // closes its sockets: on_socket_state drops them from epoll
            if (last_channel == &ch) {
                last_channel = nullptr;
                last_key = nullptr;
            }
            it = channels.erase(it);
        } else {
            ++it;
        }
    }
    if (gone.empty()) return;
    // Wake-ups of the destroyed channels would point at freed memory: keep only the others.
    std::sort(gone.begin(), gone.end());
    std::vector<Wakeup> kept;
    while (!wakeups.empty()) {
        if (!std::binary_search(gone.begin(), gone.end(), wakeups.top().second))
            kept.push_back(wakeups.top());
        wakeups.pop();
    }
    for (const auto& w : kept) wakeups.push(w);
    stats.channels_closed += gone.size();
}

// At max_channels, a new channel replaces the idle one used longest ago (its socket closes). With
// max_in_flight below max_channels some channel is always idle: busy ones each have a probe on
// the wire.
void ProbeEngine::Impl::close_least_recent_idle_channel() {
    auto oldest = channels.end();
    for (auto it = channels.begin(); it != channels.end(); ++it) {
        if (it->second->outstanding != 0) continue;
        if (oldest == channels.end() || it->second->last_used < oldest->second->last_used)
            oldest = it;
    }
    if (oldest == channels.end()) return;  // all busy: the new one goes beyond the cap
    Channel* gone = oldest->second.get();
    ares_destroy(gone->ares);
    if (last_channel == gone) {
        last_channel = nullptr;
        last_key = nullptr;
    }
    channels.erase(oldest);
    std::vector<Wakeup> kept;  // a wake-up of the destroyed channel would point at freed memory
    while (!wakeups.empty()) {
        if (wakeups.top().second != gone) kept.push_back(wakeups.top());
        wakeups.pop();
    }
    for (const auto& w : kept) wakeups.push(w);
    ++stats.channels_closed;
}

ProbeEngine::ProbeEngine(std::vector<Vantage> vantages) : impl_(std::make_unique<Impl>()) {
    keep_receive_timestamping_on();
    if (vantages.empty()) vantages.push_back(Vantage{});
    impl_->vantages = std::move(vantages);
    impl_->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (impl_->epoll_fd < 0) throw std::runtime_error(std::string("epoll: ") + strerror(errno));
}

ProbeEngine::~ProbeEngine() {
    impl_->destroying = true;
    for (auto& [key, ch] : impl_->channels) ares_destroy(ch->ares);
    close(impl_->epoll_fd);
}

// Send now, or hold back while the in-flight limit is reached. A held probe counts as
// outstanding so run_until_idle waits for it.
void ProbeEngine::Impl::enqueue(ProbeRequest request, ProbeCallback callback) {
    if (max_in_flight == 0 || (on_wire < max_in_flight && waiting.empty())) {
        submit(std::move(request), std::move(callback));
        return;
    }
    ++outstanding;
    ++stats.queued;
    waiting.emplace_back(std::move(request), std::move(callback));
}

void ProbeEngine::Impl::send_waiting() {
    while (!waiting.empty() && (max_in_flight == 0 || on_wire < max_in_flight)) {
        auto [request, callback] = std::move(waiting.front());
        waiting.pop_front();
        --outstanding;  // submit counts it again once it is on the wire
        submit(std::move(request), std::move(callback));
    }
}

void ProbeEngine::submit(ProbeRequest request, ProbeCallback callback) {
    impl_->enqueue(std::move(request), std::move(callback));
}

void ProbeEngine::set_idle_channel_limit(std::chrono::milliseconds limit) {
    impl_->idle_channel_limit = limit;
    impl_->next_sweep = Clock::now();
}

void ProbeEngine::set_max_open_channels(size_t n) {
    impl_->max_channels = n;
}

void ProbeEngine::set_max_in_flight(size_t n) {
    impl_->max_in_flight = n;
    impl_->send_waiting();
}

size_t ProbeEngine::run_once(std::chrono::milliseconds max_wait) {
    auto& im = *impl_;
    auto now = Clock::now();
    auto wait = max_wait;
    if (!im.ready.empty()) {
        wait = std::chrono::milliseconds(0);  // callbacks are waiting: only poll
    } else if (!im.wakeups.empty()) {
        const auto until =
            std::chrono::ceil<std::chrono::milliseconds>(im.wakeups.top().first - now);
        wait = std::clamp(until, std::chrono::milliseconds(0), max_wait);
    }
    std::array<epoll_event, 256> events;
    const int n = epoll_wait(im.epoll_fd, events.data(), static_cast<int>(events.size()),
                             static_cast<int>(wait.count()));
    for (int i = 0; i < n; ++i) {
        const ares_socket_t fd = events[i].data.fd;
        auto it = im.socket_owner.find(fd);
        if (it == im.socket_owner.end()) continue;
        Channel* ch = it->second;
        const bool rd = events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP);
        const bool wr = events[i].events & EPOLLOUT;
        ares_process_fd(ch->ares, rd ? fd : ARES_SOCKET_BAD, wr ? fd : ARES_SOCKET_BAD);
    }
    now = Clock::now();
    while (!im.wakeups.empty() && im.wakeups.top().first <= now) {
        Channel* ch = im.wakeups.top().second;
        im.wakeups.pop();
        if (ch->next_wakeup > now) continue;  // superseded by an earlier or later wake-up
        ch->next_wakeup = Clock::time_point::max();
        ares_process_fd(ch->ares, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        im.reschedule_from_ares(*ch);
    }
    im.deliver();
    im.send_waiting();
    if (now >= im.next_sweep) im.sweep_idle_channels(now);
    return im.outstanding;
}

void ProbeEngine::run_until_idle() {
    while (impl_->outstanding > 0) run_once(std::chrono::milliseconds(1000));
}

std::vector<ProbeResult> ProbeEngine::run_batch(const std::vector<ProbeRequest>& requests) {
    std::vector<ProbeResult> results;
    results.reserve(requests.size());
    for (const auto& r : requests) {
        submit(r, [&results](ProbeResult& res) { results.push_back(std::move(res)); });
    }
    run_until_idle();
    return results;
}

size_t ProbeEngine::outstanding() const {
    return impl_->outstanding;
}
size_t ProbeEngine::waiting() const {
    return impl_->waiting.size();
}
EngineStats ProbeEngine::stats() const {
    return impl_->stats;
}
const std::vector<Vantage>& ProbeEngine::vantages() const {
    return impl_->vantages;
}

}  // namespace nswatch
