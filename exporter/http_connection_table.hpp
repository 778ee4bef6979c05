// Which HTTP connections the server keeps, and for how long: the per-client and total caps, the
// request/idle/write deadlines, and which connection gives way when the table is full. Pure: the
// event loop (http_event_loop.cpp) tells it what happened and when, and does what it decides.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace nswatch {

struct HttpLimits {
    /// Connections open at once, all clients together. When full, a new connection takes the
    /// place of the one that has waited longest without sending a whole request.
    size_t max_connections = 512;
    /// Connections open at once from one client (an IPv4 address, or an IPv6 /64).
    size_t max_connections_per_client = 32;
    /// From accept, or from the first byte of a keep-alive connection's next request, to the end
    /// of the request head: what a slowloris client dripping header bytes gets.
    std::chrono::milliseconds header_timeout{5000};
    /// How long a keep-alive connection may wait for its next request.
    std::chrono::milliseconds idle_timeout{120000};
    /// How long a response may take to be delivered in full (a client that stops reading).
    std::chrono::milliseconds write_timeout{60000};
};

/// The key the per-client cap counts by: the IPv4 address ("192.0.2.1"; an IPv4-mapped IPv6
/// address counts as its IPv4 address) or the IPv6 /64 ("2001:db8:1:2::/64"), since one IPv6
/// host usually has a whole /64 to pick source addresses from.
std::string client_key(const sockaddr_storage& peer);

class HttpConnectionTable {
  public:
    using Clock = std::chrono::steady_clock;

    enum class Phase {
        awaiting_request,  ///< accepted, the request head not complete yet
        idle,              ///< keep-alive, between requests, nothing of the next one received
        reading_request,   ///< keep-alive, part of the next request head received
        handling,          ///< a worker builds the response: no deadline (no client I/O)
        writing,           ///< the response is being sent
    };
    enum class Verdict { accept, reject_client_limit, reject_total_limit };
    struct Admission {
        Verdict verdict = Verdict::accept;
        /// With accept: this connection must be closed first to stay within the total cap.
        std::optional<uint64_t> evict;
    };
    struct Expired {
        uint64_t id;
        Phase phase;  ///< the phase whose deadline passed (awaiting/reading, idle or writing)
    };

    explicit HttpConnectionTable(HttpLimits limits) : limits_(limits) {}

    /// Whether a new connection from `client` may be kept. The per-client cap is checked first:
    /// a client at its cap cannot push out others' connections.
    Admission admit(const std::string& client) const;
    /// The connection that gives way when descriptors run out (nullopt: none is waiting).
    std::optional<uint64_t> oldest_waiting() const;

    void add(uint64_t id, const std::string& client, Clock::time_point now);
    void remove(uint64_t id);
    /// The connection is in `phase` from `now` on; its deadline follows from the phase.
    void enter(uint64_t id, Phase phase, Clock::time_point now);
    std::optional<Phase> phase(uint64_t id) const;

    /// Connections whose deadline has passed at `now` (they stay in the table until removed).
    std::vector<Expired> expired(Clock::time_point now) const;

    size_t size() const { return entries_.size(); }
    size_t count(const std::string& client) const;

  private:
    struct Entry {
        std::string client;
        Phase phase = Phase::awaiting_request;
        std::optional<Clock::time_point> deadline;
        std::optional<std::list<uint64_t>::iterator> waiting;  ///< place in waiting_ if waiting
    };
    static bool is_waiting(Phase p) {
        return p == Phase::awaiting_request || p == Phase::idle || p == Phase::reading_request;
    }

    HttpLimits limits_;
    std::unordered_map<uint64_t, Entry> entries_;
    std::unordered_map<std::string, size_t> per_client_;
    /// Waiting connections, the one that started waiting first at the front.
    std::list<uint64_t> waiting_;
};

}  // namespace nswatch
