// ProbeEngine: asynchronous DNS probes over c-ares, one event loop (epoll), one thread.
// (prober/parallel_engine.hpp runs several on several threads.) The implementation is split:
// engine.cpp (submit, finish, the run loop), engine_channels.cpp (c-ares channels and socket
// functions), engine_queries.cpp (query bytes), engine_impl.hpp (the state they share).
//
// IMPLEMENTATION NOTES
// - One c-ares channel per (vantage, server address, port, transport): c-ares then never rotates
//   servers and never retries (tries = 1); the caller decides retries. Channels are created lazily
//   and kept, with ARES_FLAG_STAYOPEN: c-ares otherwise closes a channel's sockets whenever its
//   last query ends, which with many zones on shared nameservers means a new UDP socket per probe
//   and a new TCP connection (handshake, server accept, close) per TCP probe. A TCP connection
//   is reused until the server closes it (RFC 7766 §6.2.1); a probe that fails because the
//   server closed a kept connection just as it was written is sent once more on a new one.
// - Queries come from prober/engine_queries.hpp: an ldns-built template per question shape with the
//   name spliced in (ldns's wire form of it), and a random ID (from a buffer refilled by
//   arc4random_buf, unique per channel) patched in. ares_send() keeps that ID and matches replies
//   by ID, question and source.
// - Callbacks never run inside c-ares: a finished probe is parsed at once and queued, and run_once
//   runs the queued callbacks after ares_process_fd returns, then submits TC retries. A callback
//   that submits therefore cannot keep run_once reading for ever.
// - RTT is measured on the wire (prober/wire_timestamps.hpp): the socket functions note when each
//   query was written (asendv) and the kernel's arrival time of its reply (arecvfrom, via
//   SO_TIMESTAMPNS), so it excludes the time the loop spends on other probes (channel set-up,
//   parsing, callbacks). A TCP probe on a new connection also reports the handshake apart
//   (connect_time); rtt is then the query alone.
// - UDP sockets ask for a 4 MiB receive buffer (the kernel caps it at net.core.rmem_max): the
//   default ~208 KiB overflows on a burst of replies, and each dropped reply costs a full timeout.
// - ARES_FLAG_IGNTC: a truncated UDP reply is reported (outcome truncated) and then retried over
//   TCP by the engine, so both results reach the caller.
// - ARES_FLAG_NOCHECKRESP: REFUSED/SERVFAIL replies are reported, not turned into errors.
// - c-ares silently drops replies with the wrong ID or question, or bytes that do not parse. To
//   name such failures (id_mismatch, question_mismatch, malformed) instead of a bare timeout, the
//   engine installs socket functions that keep the last datagrams received on each channel and
//   inspects them when a query times out. c-ares 1.18 configures none of the sockets such functions
//   open, so the engine makes them non-blocking and binds the vantage's source address or device
//   itself.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"
#include "dns/vantage.hpp"

namespace nswatch {

struct ProbeRequest {
    Target target;
    Query query;
    std::chrono::milliseconds timeout{2000};
    bool retry_truncated_over_tcp = true;  ///< a UDP reply with TC set is asked again over TCP
    /// Keep the authority and additional sections of an ok reply (a failure always keeps them).
    bool ok_extra_sections = true;
    /// Digest the reply (ProbeResult::reply_digest). When the digest equals `known_reply` (not 0)
    /// the reply is not parsed: the result has `same_reply` set and only its header read. For a
    /// caller that keeps the digest of an answer it judged and would judge the same bytes alike.
    bool digest_reply = false;
    uint32_t known_reply = 0;
};

/// Receives a finished probe's result. The result is the engine's own and not used again after the
/// callback: the callback may move from it (a callback taking `const ProbeResult&` fits as well).
using ProbeCallback = std::function<void(ProbeResult&)>;

/// Long enough that a server probed every minute keeps its channel (and its UDP socket).
inline constexpr std::chrono::milliseconds kDefaultIdleChannelLimit{180'000};

struct EngineStats {
    uint64_t sent = 0;
    uint64_t completed = 0;
    uint64_t channels = 0;         ///< channels created
    uint64_t channels_closed = 0;  ///< channels destroyed after idle_channel_limit unused
    uint64_t queued = 0;           ///< probes that had to wait for the in-flight limit
};

class ProbeEngine {
  public:
    explicit ProbeEngine(std::vector<Vantage> vantages = {Vantage{}});
    ~ProbeEngine();
    ProbeEngine(const ProbeEngine&) = delete;
    ProbeEngine& operator=(const ProbeEngine&) = delete;

    /// Queue a probe; the callback runs on the loop thread, from run_once, after it ends (twice for
    /// a TC retry: the truncated UDP result, then the TCP result with retried_from_tc set). A probe
    /// that cannot be sent (e.g. an invalid name) calls back at once, from submit.
    void submit(ProbeRequest request, ProbeCallback callback);

    /// Wait for socket events or timeouts for at most max_wait, process them, run the callbacks of
    /// the probes that finished, and return the number of probes still outstanding (a finished
    /// probe counts until its callback has run).
    size_t run_once(std::chrono::milliseconds max_wait);

    /// Make a run_once that waits (now, or next) return at once. The only member another thread may
    /// call: a thread that hands probes to a loop running elsewhere wakes it with this.
    void wake();

    /// Run the loop until no probe is outstanding.
    void run_until_idle();

    /// Convenience: submit all, run until idle, return every result (a TC retry adds one).
    std::vector<ProbeResult> run_batch(const std::vector<ProbeRequest>& requests);

    /// At most `n` probes on the wire at once (0 = no limit); later submits wait in FIFO order
    /// and are sent as earlier ones finish. Their RTT and timeout start when they are sent.
    void set_max_in_flight(size_t n);

    /// At most `n` channels (one kept socket each) at once (0 = no limit): a new one first closes
    /// the idle channel used longest ago. For a short open-files limit; keep max_in_flight below
    /// `n` so that some channel is always idle.
    void set_max_open_channels(size_t n);

    /// A channel (and its kept sockets) unused this long is closed; the next probe to that server
    /// opens a new one. Default kDefaultIdleChannelLimit.
    void set_idle_channel_limit(std::chrono::milliseconds limit);

    size_t outstanding() const;
    /// Probes held back by the in-flight limit (submitted, not yet on the wire).
    size_t waiting() const;
    EngineStats stats() const;
    const std::vector<Vantage>& vantages() const;

    struct Impl;  ///< opaque; public only so the c-ares callbacks in engine.cpp can name it

  private:
    std::unique_ptr<Impl> impl_;
};

/// Submit every request, run until idle, and return every result in the order they finished (a TC
/// retry adds one): run_batch of ProbeEngine and ParallelProbeEngine.
template <class Engine>
std::vector<ProbeResult> submit_all_and_wait(Engine& engine,
                                             const std::vector<ProbeRequest>& requests) {
    std::vector<ProbeResult> results;
    results.reserve(requests.size());
    for (const auto& r : requests) {
        engine.submit(r, [&results](ProbeResult& res) { results.push_back(std::move(res)); });
    }
    engine.run_until_idle();
    return results;
}

}  // namespace nswatch
