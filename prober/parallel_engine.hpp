// ParallelProbeEngine: K ProbeEngines on K threads behind the ProbeEngine interface, for sweeps
// that one thread's CPU cannot keep up with.
//
// IMPLEMENTATION NOTES
// - Each probe goes to the thread chosen by a stable hash of its target (zone, address, port,
//   vantage): every thread keeps its own c-ares channels, so a channel (its sockets, its TCP
//   connection, its query IDs) is only ever touched by one thread, and a TC retry runs on the
//   thread of the probe it retries. A server probed for many zones gets a channel on each thread.
// - Callbacks run on the caller's thread, from run_once, as with ProbeEngine: each thread queues
//   its finished results, run_once takes them all under one lock and calls back. The callbacks
//   themselves stay on the caller's side (a slot per probe); the threads see requests and results
//   only. Callers therefore need no locking of their own.
// - Submits are staged on the caller's side and handed to the threads in one batch per thread,
//   one lock and one wake-up each, at the start and end of run_once: a callback that submits the
//   next probe then costs no system call of its own.
// - set_max_in_flight / set_max_open_channels divide the limit between the threads (rounded up):
//   the threads share no state, so each enforces its share.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "prober/engine.hpp"

namespace nswatch {

class ParallelProbeEngine {
  public:
    /// `threads` engines (at least 1), each on a thread of its own, started here.
    explicit ParallelProbeEngine(size_t threads, std::vector<Vantage> vantages = {Vantage{}});
    ~ParallelProbeEngine();  ///< stops and joins the threads; callbacks still due never run
    ParallelProbeEngine(const ParallelProbeEngine&) = delete;
    ParallelProbeEngine& operator=(const ParallelProbeEngine&) = delete;

    /// As ProbeEngine::submit. The probe is handed to its thread by the next run_once.
    void submit(ProbeRequest request, ProbeCallback callback);
    /// As ProbeEngine::run_once: waits at most max_wait for results, runs their callbacks on this
    /// thread, and returns the number of probes outstanding.
    size_t run_once(std::chrono::milliseconds max_wait);
    void run_until_idle();
    std::vector<ProbeResult> run_batch(const std::vector<ProbeRequest>& requests);

    void set_max_in_flight(size_t n);
    void set_max_open_channels(size_t n);
    void set_idle_channel_limit(std::chrono::milliseconds limit);

    size_t threads() const { return workers_.size(); }
    size_t outstanding() const { return outstanding_; }
    /// The threads' counters summed, as of their last pass through their loops.
    EngineStats stats() const;
    const std::vector<Vantage>& vantages() const { return vantages_; }

  private:
    struct Job {
        ProbeRequest request;
        uint32_t slot = 0;
    };
    struct Done {
        uint32_t slot = 0;
        ProbeResult result;
    };
    struct Worker;
    struct Slot {
        ProbeCallback callback;
        bool retry_truncated_over_tcp = true;  ///< a truncated UDP result is then not the last
    };

    size_t shard_of(const Target& t) const;
    /// Each worker's `limit` set to its share of n, applied by its thread.
    void share_limit(size_t Worker::*limit, size_t n);
    void flush();
    void work(Worker& w);

    std::vector<Vantage> vantages_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::deque<Slot> slots_;  ///< deque: a callback running from its slot may add slots
    std::vector<uint32_t> free_slots_;
    size_t outstanding_ = 0;

    std::mutex done_mu_;
    std::condition_variable done_cv_;
    std::vector<Done> done_;   ///< results from every thread, guarded by done_mu_
    std::vector<Done> batch_;  ///< the caller's copy being called back (capacity reused)
};

}  // namespace nswatch
