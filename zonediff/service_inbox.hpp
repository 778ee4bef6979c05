// What the daemon hands a background service's thread: a new config (reload) and the request to
// stop. The thread sleeps on it between runs and wakes for either. Shared by DiffService and
// ReferenceService, whose loops differ only in what a run does.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "config/schema.hpp"

namespace nswatch {

class ServiceInbox {
  public:
    /// A config for the thread's next take_config(); a newer one replaces one not yet taken.
    void put_config(Config config) {
        {
            std::lock_guard lock(mutex_);
            pending_ = std::move(config);
        }
        cv_.notify_all();
    }

    /// The config put since the last call, if any.
    std::optional<Config> take_config() {
        std::optional<Config> c;
        std::lock_guard lock(mutex_);
        c.swap(pending_);
        return c;
    }

    /// Ask the thread to stop: wait_until returns true from now on.
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
    }

    bool stopping() const {
        std::lock_guard lock(mutex_);
        return stop_;
    }

    /// Sleep until `when`, a new config or stop(), whichever comes first; true when stopping.
    bool wait_until(std::chrono::steady_clock::time_point when) {
        std::unique_lock lock(mutex_);
        cv_.wait_until(lock, when, [this] { return stop_ || pending_.has_value(); });
        return stop_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::optional<Config> pending_;
    bool stop_ = false;
};

}  // namespace nswatch
