// DiscoveryPool: a fixed number of worker threads that run delegation discoveries from one FIFO
// queue, so that discovering 100,000 zones costs a few threads, not one per zone.
//
// IMPLEMENTATION NOTES
// - The number of threads is fixed and a queued job is only its closure. A thread per discovery
//   (std::async) reaches vm.max_map_count at ~100,000 zones (each finished thread's stack stays
//   mapped until its future is polled), and a failed thread creation would end the daemon.
// - Starting a worker can fail (EAGAIN: thread or memory limits). That is logged and tried again
//   from maintain() at most every kRetryStartEvery; meanwhile the jobs wait in the queue. A job
//   that throws (no descriptor for its engine, no thread for a name it resolves) finishes with
//   `local_error` set instead of a Delegation: the cause is here, not in the zone.
// - Results are collected by the loop thread (take_finished): the pool never calls back into the
//   monitor, so it needs no knowledge of zones or reloads. A job is identified by its ticket.
// - The destructor drops the jobs not started and waits for those running (each bounded by the
//   resolver's query limit and timeouts).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "delegation/discovery.hpp"

namespace nswatch {

class DiscoveryPool {
  public:
    using Clock = std::chrono::steady_clock;
    using Job = std::function<Delegation()>;
    /// Starts a thread running `body`; throws std::system_error when it cannot (as std::thread).
    using ThreadStarter = std::function<std::thread(std::function<void()> body)>;

    static constexpr std::chrono::seconds kRetryStartEvery{5};

    struct Finished {
        uint64_t ticket = 0;
        Delegation delegation;    ///< what the job returned (empty when local_error is set)
        std::string local_error;  ///< the job could not run here (a resource of this host)
    };

    /// `workers` threads (at least 1), started by the first maintain(). `starter` is for tests.
    explicit DiscoveryPool(size_t workers, ThreadStarter starter = {});
    ~DiscoveryPool();
    DiscoveryPool(const DiscoveryPool&) = delete;
    DiscoveryPool& operator=(const DiscoveryPool&) = delete;

    /// Queue a job; returns its ticket (never 0).
    uint64_t submit(Job job);
    /// Start the workers that are missing (none yet, or their start failed before), unless the
    /// last attempt failed less than kRetryStartEvery before `now`.
    void maintain(Clock::time_point now);
    /// The jobs that ended since the last call, in the order they ended.
    std::vector<Finished> take_finished();

    size_t workers_running() const;  ///< threads started (loop thread only, as maintain)
    size_t workers_wanted() const { return wanted_; }
    size_t queued() const;      ///< jobs not started yet
    size_t unfinished() const;  ///< jobs queued or running, or finished and not taken

  private:
    void work();

    const size_t wanted_;
    ThreadStarter starter_;
    std::vector<std::thread> threads_;
    Clock::time_point next_start_attempt_{};  ///< loop thread only
    mutable std::mutex mu_;
    std::condition_variable wake_;
    std::deque<std::pair<uint64_t, Job>> queue_;
    std::vector<Finished> finished_;
    size_t running_ = 0;
    uint64_t next_ticket_ = 1;
    bool stopping_ = false;
};

}  // namespace nswatch
