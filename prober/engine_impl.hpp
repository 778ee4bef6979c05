// Private to the ProbeEngine implementation (engine.cpp, engine_channels.cpp, engine_queries.cpp):
// the state behind ProbeEngine::Impl, shared by the c-ares glue and the submit/finish/run loop.
#pragma once

#include <ares.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <queue>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "prober/engine.hpp"
#include "prober/engine_queries.hpp"
#include "prober/reply_forensics.hpp"
#include "prober/tcp_read_ahead.hpp"
#include "prober/udp_batch.hpp"
#include "prober/wire_timestamps.hpp"

namespace nswatch {

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
    bool digest_reply = false;  ///< see ProbeRequest::digest_reply
    uint32_t known_reply = 0;
    uint16_t id = 0;  ///< the query ID on the wire
    /// Sent over a TCP connection that was already open (kept from an earlier probe).
    bool on_kept_connection = false;
    /// The question's name as sent (wire form, at most 255 octets): the reply's is compared to it.
    std::array<uint8_t, 255> asked{};
    uint16_t asked_size = 0;
};

/// The probes held back by the in-flight limit, first in first out: a vector read from `head_`,
/// its read part dropped once it is half the vector (each entry moved at most once more on
/// average). A std::deque of these (~300 octets each) would hold one per node, an allocation and
/// a free per probe held. The buffer stays while probes wait; a large one goes when the queue
/// empties, so a burst's memory does not stay for ever.
class WaitQueue {
  public:
    using Entry = std::pair<ProbeRequest, ProbeCallback>;
    bool empty() const { return head_ == items_.size(); }
    size_t size() const { return items_.size() - head_; }
    void push(ProbeRequest request, ProbeCallback callback) {
        items_.emplace_back(std::move(request), std::move(callback));
    }
    Entry pop() {
        Entry e = std::move(items_[head_++]);
        if (head_ == items_.size()) {
            items_.clear();
            if (items_.capacity() > kKeepMax) std::vector<Entry>().swap(items_);
            head_ = 0;
        } else if (head_ >= kCompactAt && 2 * head_ >= items_.size()) {
            items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
            head_ = 0;
        }
        return e;
    }

  private:
    static constexpr size_t kCompactAt = 64;
    static constexpr size_t kKeepMax = 64;
    std::vector<Entry> items_;
    size_t head_ = 0;
};

/// A finished probe whose callback has not run yet (callbacks run after ares_process_fd returns).
/// It keeps the probe's Pending, which holds the callback and the result: handing over a pointer
/// costs less than moving a ProbeResult (a few dozen members) once more per probe.
struct Ready {
    std::unique_ptr<Pending> probe;
    std::optional<ProbeRequest> retry;  ///< TC retry over TCP, submitted after the callback
    /// The probe failed on a kept TCP connection the server had closed: `retry` is the same probe,
    /// sent again on a new connection, and the callback waits for that result instead.
    bool resend = false;
};

struct ProbeEngine::Impl {
    LibraryInit library;
    std::vector<Vantage> vantages;
    int epoll_fd = -1;
    int wake_fd = -1;  ///< eventfd in epoll_fd: wake() makes a waiting run_once return
    std::unordered_map<ChannelKey, std::unique_ptr<Channel>, ChannelKeyHash> channels;
    std::unordered_map<ares_socket_t, Channel*> socket_owner;
    using Wakeup = std::pair<Clock::time_point, Channel*>;
    std::priority_queue<Wakeup, std::vector<Wakeup>, std::greater<>> wakeups;
    size_t outstanding = 0;    ///< probes waiting, in flight, or finished with callback not yet run
    size_t on_wire = 0;        ///< probes sent and not finished
    size_t max_in_flight = 0;  ///< 0: no limit
    size_t max_channels = 0;   ///< 0: no limit (set_max_open_channels)
    WaitQueue waiting;         ///< held back by the limit
    bool destroying = false;
    EngineStats stats;
    std::chrono::milliseconds idle_channel_limit{kDefaultIdleChannelLimit};
    Clock::time_point next_sweep{};
    std::vector<Ready> ready;  ///< finished probes, callbacks pending
    /// Delivered probes' Pending objects, reset and kept for the next submits: a round of
    /// thousands of probes would otherwise allocate and free one (~1 KiB) per probe, more than
    /// glibc's per-thread cache holds, so each went through the heap's slow path.
    std::vector<std::unique_ptr<Pending>> spare_pending;
    static constexpr size_t kSparePendingMax = 1024;
    /// A Pending from spare_pending (reset) or a new one.
    std::unique_ptr<Pending> new_pending();
    /// Reset `p` and keep it for reuse (or free it beyond kSparePendingMax).
    void recycle(std::unique_ptr<Pending> p);
    std::vector<Ready> spare;  ///< an empty buffer kept to reuse its capacity
    /// Larger spare buffers are freed. Above a window of probes finishing in one pass (hundreds):
    /// growing the buffer again every pass moved each Ready and, past glibc's mmap threshold,
    /// page-faulted fresh memory (a fifth of the sweep benchmark's CPU at a window of 500).
    static constexpr size_t kSpareMax = 2048;

    // Query IDs: drawn from a buffer refilled by arc4random_buf, not one arc4random per probe.
    std::array<uint16_t, 256> id_pool{};
    size_t id_next = id_pool.size();

    QueryBuilder queries;
    UdpBatch udp;      ///< queued UDP queries and read-ahead replies of all channels
    TcpReadAhead tcp;  ///< TCP octets read but not yet taken by c-ares, of all channels

    /// Send the queued UDP queries, then let c-ares read the sockets that hold a send error or
    /// replies it has not taken yet (neither makes epoll report the socket).
    void flush_udp();
    /// Let c-ares take every TCP octet read ahead (it reads once per call: a length, then a
    /// message), so that all replies of one read are handed over in this pass of the loop.
    void hand_over_tcp();

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
};

namespace engine_detail {

/// The socket functions every channel installs (engine_channels.cpp).
extern const struct ares_socket_functions kSocketFunctions;
/// c-ares' socket state callback: keeps epoll in step with the sockets c-ares wants watched.
void on_socket_state(void* data, ares_socket_t fd, int readable, int writable);
/// c-ares' query callback: hands the finished query to Impl::finish.
void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);

}  // namespace engine_detail

}  // namespace nswatch
