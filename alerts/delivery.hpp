// The delivery thread: takes due rows from the outbox, sends them through their channel, and
// records the outcome. Retries time-outs and 5xx with exponential backoff (retry_initial doubling
// up to retry_max), gives up at once on other 4xx and after max_delivery_age. A repeated failure
// is logged once per row (the first time), never with a URL or key.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
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

    /// Starts the thread. `sender` defaults to http_post (tests may not need to replace it).
    Deliverer(const std::string& state_path, AlertSettings settings, Sender sender = http_post);
    ~Deliverer();  ///< stops the thread (an attempt in flight finishes first)
    Deliverer(const Deliverer&) = delete;
    Deliverer& operator=(const Deliverer&) = delete;

    /// New channels (URLs, keys, timeouts) and retry settings (SIGHUP), used from the next pass.
    /// Rows queued for a channel no longer configured are given up then. Thread-safe.
    void reconfigure(AlertSettings settings);

    /// New rows were committed: look now instead of at the next tick.
    void wake();
    /// One pass over the due rows at `now`: the thread's body (never call it while the thread
    /// runs: two passes would send a row twice).
    void deliver_due(WallTime now);
    const DeliveryCounters& counters() const { return counters_; }

  private:
    void loop();

    std::mutex config_mutex_;  ///< guards settings_ and channels_ (reconfigure vs a pass)
    AlertSettings settings_;
    std::map<std::string, ChannelConfig> channels_;
    Sender sender_;
    AlertStore store_;
    DeliveryCounters counters_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    bool woken_ = false;
    std::thread thread_;
};

}  // namespace nswatch
