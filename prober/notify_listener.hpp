// The NOTIFY listener: one thread serving a UDP and a TCP socket on the configured address, each
// message judged by judge_notify (dns/notify_packet.hpp) and answered. Accepted NOTIFYs go to a
// callback; every verdict is counted.
//
// IMPLEMENTATION NOTES
// - Its own thread and sockets, apart from the probe engine: a flood of NOTIFYs costs this thread
//   CPU, never a probe's timing.
// - TCP connections are served side by side from the same poll loop (non-blocking sockets, each
//   with its own TcpMessageBuffer): a client that connects and sends nothing, or sends a message
//   an octet at a time, delays nobody. A connection idle for 5 s is closed; at most 128 are open
//   at once (beyond that the one closest to its deadline is closed for the newcomer).
// - The policy can be replaced while the listener runs (SIGHUP): set_policy.
// - The callback runs on the listener thread and must not block.
// - Signed NOTIFYs are checked against the wall clock (options.clock) and against the MACs already
//   accepted (dns/tsig_guard.hpp), so a captured NOTIFY cannot be replayed.
// - A rejection is logged at most once per reason per options.log_interval, the next line saying
//   how many were not logged: a flood costs the log a few lines; the counts say how many came.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dns/notify_packet.hpp"
#include "dns/tcp_framing.hpp"
#include "dns/tsig_guard.hpp"
#include "prober/log_limiter.hpp"

namespace nswatch {

/// An accepted NOTIFY.
struct NotifyEvent {
    std::string zone;                                  ///< zone, lower case, no trailing dot
    std::optional<uint32_t> serial;                    ///< SOA serial in the NOTIFY, if any
    std::string source;                                ///< sender's address
    std::string transport;                             ///< "udp" or "tcp"
    std::string key_name;                              ///< TSIG key that signed it, empty if none
    std::chrono::system_clock::time_point received{};  ///< wall clock on arrival
};

struct NotifyListenerOptions {
    std::string address = "127.0.0.1";  ///< address literal to bind
    uint16_t port = 5353;               ///< 0 = any free port (tests)
    NotifyPolicy policy;                ///< who may notify for what
    /// Wall clock the TSIG times are checked against; null = the system clock.
    std::function<std::chrono::system_clock::time_point()> clock;
    /// At most one log line per rejection reason this often.
    std::chrono::steady_clock::duration log_interval = std::chrono::seconds(10);
};

class NotifyListener {
  public:
    using Callback = std::function<void(const NotifyEvent&)>;
    static constexpr size_t kVerdicts = kNotifyVerdicts;

    /// Binds both sockets (throws std::runtime_error with the reason) and starts the thread.
    NotifyListener(NotifyListenerOptions options, Callback on_accepted);
    ~NotifyListener();
    NotifyListener(const NotifyListener&) = delete;
    NotifyListener& operator=(const NotifyListener&) = delete;

    /// The bound port (the chosen one when 0 was asked for).
    uint16_t port() const { return port_; }
    /// Messages with verdict `v` so far.
    uint64_t count(NotifyVerdict v) const { return counts_[static_cast<size_t>(v)].load(); }
    /// Judge messages from now on by `policy` (thread-safe).
    void set_policy(NotifyPolicy policy);
    /// TCP connections open now.
    size_t tcp_connections() const { return open_tcp_.load(); }

  private:
    struct TcpConnection {
        int fd = -1;
        std::string source;
        TcpMessageBuffer in;
        std::vector<uint8_t> out;  ///< replies not yet sent
        std::chrono::steady_clock::time_point deadline;
    };
    void loop();
    void serve_udp();
    void accept_tcp();
    /// Read, answer, write; false when the connection is done.
    bool serve_connection(TcpConnection& c, short revents);
    void close_connection(TcpConnection& c);
    void handle(const uint8_t* data, size_t size, const std::string& source, const char* transport,
                std::vector<uint8_t>& reply);
    void log_rejection(const NotifyDecision& d, const std::string& source, const char* transport);

    NotifyListenerOptions options_;
    Callback on_accepted_;
    int udp_ = -1;
    int tcp_ = -1;
    int wake_[2] = {-1, -1};
    uint16_t port_ = 0;
    std::mutex policy_mu_;                    ///< guards options_.policy
    std::vector<TcpConnection> connections_;  ///< listener thread only
    std::atomic<size_t> open_tcp_{0};
    std::array<std::atomic<uint64_t>, kVerdicts> counts_{};
    TsigReplayMemory replays_;  ///< listener thread only
    LogLimiter log_limiter_;    ///< listener thread only
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace nswatch
