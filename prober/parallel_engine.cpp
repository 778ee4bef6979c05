#include "prober/parallel_engine.hpp"

#include <atomic>
#include <functional>
#include <string_view>

namespace nswatch {

struct ParallelProbeEngine::Worker {
    explicit Worker(const std::vector<Vantage>& vantages) : engine(vantages) {}

    ProbeEngine engine;  ///< used only by `thread` once it runs (wake() aside)
    std::thread thread;

    std::mutex mu;  ///< guards inbox, limits and stats
    std::vector<Job> inbox;
    bool stop = false;
    size_t max_in_flight = 0;
    size_t max_open_channels = 0;
    std::chrono::milliseconds idle_channel_limit{kDefaultIdleChannelLimit};
    bool limits_changed = false;
    EngineStats stats;

    std::vector<Job> staged;  ///< the caller's submits not yet handed over (caller's side)
};

ParallelProbeEngine::ParallelProbeEngine(size_t threads, std::vector<Vantage> vantages)
    : vantages_(vantages.empty() ? std::vector<Vantage>{Vantage{}} : std::move(vantages)) {
    if (threads == 0) threads = 1;
    for (size_t i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>(vantages_));
    for (auto& w : workers_) {
        Worker* raw = w.get();
        w->thread = std::thread([this, raw] { work(*raw); });
    }
}

ParallelProbeEngine::~ParallelProbeEngine() {
    for (auto& w : workers_) {
        {
            std::lock_guard lock(w->mu);
            w->stop = true;
        }
        w->engine.wake();
    }
    for (auto& w : workers_) w->thread.join();
}

// FNV-1a over the target's identifying fields: the same target always lands on the same thread,
// in every process (std::hash of a string is not specified to be stable).
size_t ParallelProbeEngine::shard_of(const Target& t) const {
    if (workers_.size() == 1) return 0;
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](std::string_view s) {
        for (const char c : s) {
            h ^= static_cast<uint8_t>(c);
            h *= 1099511628211ull;
        }
        h ^= 0xff;  // field separator: ("ab","c") and ("a","bc") differ
        h *= 1099511628211ull;
    };
    mix(t.zone);
    mix(t.address);
    mix(t.vantage);
    h ^= t.port;
    h *= 1099511628211ull;
    return static_cast<size_t>(h % workers_.size());
}

void ParallelProbeEngine::submit(ProbeRequest request, ProbeCallback callback) {
    uint32_t slot = 0;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    slots_[slot].callback = std::move(callback);
    slots_[slot].retry_truncated_over_tcp = request.retry_truncated_over_tcp;
    ++outstanding_;
    Worker& w = *workers_[shard_of(request.target)];
    w.staged.push_back(Job{std::move(request), slot});
}

// Hand each thread its staged probes: one lock, and one wake-up when its inbox was empty (a
// non-empty inbox means the thread has not taken the previous batch yet and will see these too).
void ParallelProbeEngine::flush() {
    for (auto& w : workers_) {
        if (w->staged.empty()) continue;
        bool was_empty = false;
        {
            std::lock_guard lock(w->mu);
            was_empty = w->inbox.empty();
            if (was_empty) {
                w->inbox.swap(w->staged);
            } else {
                for (auto& j : w->staged) w->inbox.push_back(std::move(j));
                w->staged.clear();
            }
        }
        if (was_empty) w->engine.wake();
    }
}

void ParallelProbeEngine::work(Worker& w) {
    std::vector<Job> jobs;
    std::vector<Done> finished;
    for (;;) {
        {
            std::lock_guard lock(w.mu);
            if (w.stop) return;
            jobs.swap(w.inbox);
            if (w.limits_changed) {
                w.engine.set_max_in_flight(w.max_in_flight);
                w.engine.set_max_open_channels(w.max_open_channels);
                w.engine.set_idle_channel_limit(w.idle_channel_limit);
                w.limits_changed = false;
            }
        }
        for (auto& j : jobs) {
            const uint32_t slot = j.slot;
            w.engine.submit(std::move(j.request), [&finished, slot](ProbeResult& r) {
                finished.push_back(Done{slot, std::move(r)});
            });
        }
        jobs.clear();
        // Idle, it sleeps until wake(); busy, ProbeEngine bounds the wait by its next timeout.
        w.engine.run_once(std::chrono::milliseconds(1000));
        {
            std::lock_guard lock(w.mu);
            w.stats = w.engine.stats();
        }
        if (finished.empty()) continue;
        {
            std::lock_guard lock(done_mu_);
            if (done_.empty()) {
                done_.swap(finished);
            } else {
                for (auto& d : finished) done_.push_back(std::move(d));
            }
        }
        finished.clear();
        done_cv_.notify_one();
    }
}

size_t ParallelProbeEngine::run_once(std::chrono::milliseconds max_wait) {
    flush();
    {
        std::unique_lock lock(done_mu_);
        if (done_.empty() && outstanding_ > 0)
            done_cv_.wait_for(lock, max_wait, [this] { return !done_.empty(); });
        batch_.swap(done_);
    }
    for (Done& d : batch_) {
        Slot& s = slots_[d.slot];
        // A truncated UDP reply that the thread retries over TCP is followed by the TCP result:
        // the probe (and its slot) ends with that one.
        const bool more = s.retry_truncated_over_tcp && d.result.outcome == Outcome::truncated &&
                          d.result.target.transport == Transport::udp;
        if (more) {
            s.callback(d.result);
            continue;
        }
        ProbeCallback cb = std::move(s.callback);
        s.callback = nullptr;
        free_slots_.push_back(d.slot);
        --outstanding_;
        cb(d.result);
    }
    batch_.clear();
    flush();
    return outstanding_;
}

void ParallelProbeEngine::run_until_idle() {
    while (outstanding_ > 0) run_once(std::chrono::milliseconds(1000));
}

std::vector<ProbeResult> ParallelProbeEngine::run_batch(const std::vector<ProbeRequest>& requests) {
    return submit_all_and_wait(*this, requests);
}

namespace {
size_t share(size_t n, size_t parts) {
    return n == 0 ? 0 : (n + parts - 1) / parts;
}
}  // namespace

void ParallelProbeEngine::set_max_in_flight(size_t n) {
    share_limit(&Worker::max_in_flight, n);
}

void ParallelProbeEngine::set_max_open_channels(size_t n) {
    share_limit(&Worker::max_open_channels, n);
}

void ParallelProbeEngine::share_limit(size_t Worker::*limit, size_t n) {
    for (auto& w : workers_) {
        {
            std::lock_guard lock(w->mu);
            (*w).*limit = share(n, workers_.size());
            w->limits_changed = true;
        }
        w->engine.wake();
    }
}

void ParallelProbeEngine::set_idle_channel_limit(std::chrono::milliseconds limit) {
    for (auto& w : workers_) {
        {
            std::lock_guard lock(w->mu);
            w->idle_channel_limit = limit;
            w->limits_changed = true;
        }
        w->engine.wake();
    }
}

EngineStats ParallelProbeEngine::stats() const {
    EngineStats sum;
    for (const auto& w : workers_) {
        std::lock_guard lock(w->mu);
        sum.sent += w->stats.sent;
        sum.completed += w->stats.completed;
        sum.channels += w->stats.channels;
        sum.channels_closed += w->stats.channels_closed;
        sum.queued += w->stats.queued;
    }
    return sum;
}

}  // namespace nswatch
