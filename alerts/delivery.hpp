// Delivery: takes due rows from the outbox, sends them through their channel, and records the
// outcome. Retries time-outs and 5xx with exponential backoff (retry_initial doubling up to
// retry_max), gives up at once on other 4xx and after max_delivery_age. A repeated failure is
// logged once per row (the first time), never with a URL or key.
//
// IMPLEMENTATION NOTES
// One worker thread per channel, each with its own outbox connection: a receiver that hangs until
// its time-out holds back only its own channel's notifications, never another channel's. Each
// channel's rows are read and marked only by its worker, which keeps them in outbox order and
// sends each once. A supervisor thread starts and stops workers as channels come and go
// (reconfigure), and gives up the rows of a removed channel once its worker has ended.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "alerts/alert_store.hpp"
#include "alerts/http_client.hpp"
#include "config/alerts_schema.hpp"

namespace nswatch {

/// The backoff after `attempts` failed attempts (1 = first failure): pure.
std::chrono::milliseconds backoff_delay(int attempts, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max);

/// Counters shown by status and /metrics.
struct DeliveryCounters {
    std::atomic<uint64_t> delivered{0};  ///< notifications delivered
    std::atomic<uint64_t> retried{0};    ///< failed attempts that will be retried
    std::atomic<uint64_t> given_up{0};   ///< notifications given up (4xx or too old)
};

class Deliverer {
  public:
    using Sender = std::function<HttpResult(const HttpRequest&, std::chrono::milliseconds)>;

    /// Starts the threads. `sender` defaults to http_post; it is called from several threads
    /// at once (one per channel).
    Deliverer(const std::string& state_path, AlertSettings settings, Sender sender = http_post);
    ~Deliverer();  ///< stops the threads (attempts in flight finish first)
    Deliverer(const Deliverer&) = delete;
    Deliverer& operator=(const Deliverer&) = delete;

    /// New channels (URLs, keys, timeouts) and retry settings (SIGHUP), used from each worker's
    /// next pass; workers start for new channels and stop for removed ones, whose queued rows
    /// are given up then. Thread-safe.
    void reconfigure(AlertSettings settings);

    /// New rows were committed: look now instead of at the next tick.
    void wake();
    /// One pass over every channel's due rows at `now`, one channel after the other (never call
    /// it while the threads run: two passes would send a row twice).
    void deliver_due(WallTime now);
    const DeliveryCounters& counters() const { return counters_; }

  private:
    struct Worker {
        std::string channel;
        std::thread thread;
        bool woken = false;
        bool stop = false;
        std::atomic<bool> done{false};  ///< the thread has returned: safe to join at once
    };

    void supervise();
    void work(Worker& w);
    /// Starts workers for configured channels, asks those of removed channels to stop, joins
    /// the finished ones. Returns the channels that have a worker (running or stopping).
    std::set<std::string> sync_workers();
    /// Gives up the pending rows of channels neither configured nor served by a worker.
    void drop_unconfigured(AlertStore& store, const std::set<std::string>& served, WallTime now);
    /// One pass over `channel`'s due rows; `stopping` is polled between rows.
    void deliver_channel(AlertStore& store, const std::string& channel, WallTime now,
                         const std::function<bool()>& stopping);

    std::mutex config_mutex_;  ///< guards settings_ and channels_ (reconfigure vs a pass)
    AlertSettings settings_;
    std::map<std::string, ChannelConfig> channels_;
    Sender sender_;
    std::string state_path_;
    AlertStore store_;  ///< the supervisor's (and deliver_due's) connection
    DeliveryCounters counters_;
    std::mutex mutex_;  ///< guards stop_, woken_ and the workers' flags
    std::condition_variable cv_;
    bool stop_ = false;
    bool woken_ = false;
    std::list<Worker> workers_;  ///< node-based: a worker's address is stable for its thread
    std::thread thread_;
};

}  // namespace nswatch
