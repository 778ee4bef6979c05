#include "monitor/discovery_pool.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <system_error>

namespace nswatch {

DiscoveryPool::DiscoveryPool(size_t workers, ThreadStarter starter)
    : wanted_(std::max<size_t>(workers, 1)), starter_(std::move(starter)) {
    if (!starter_) {
        starter_ = [](std::function<void()> body) { return std::thread(std::move(body)); };
    }
}

DiscoveryPool::~DiscoveryPool() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        queue_.clear();
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
}

uint64_t DiscoveryPool::submit(Job job) {
    uint64_t ticket = 0;
    {
        std::lock_guard lock(mu_);
        ticket = next_ticket_++;
        queue_.emplace_back(ticket, std::move(job));
    }
    wake_.notify_one();
    return ticket;
}

void DiscoveryPool::maintain(Clock::time_point now) {
    if (threads_.size() >= wanted_ || now < next_start_attempt_) return;
    while (threads_.size() < wanted_) {
        try {
            threads_.push_back(starter_([this] { work(); }));
        } catch (const std::system_error& e) {
            // Not fatal: the workers started so far carry on (or the jobs wait) until a later try.
            spdlog::warn(
                "discovery: could not start worker {} of {}: {}; {} running, trying again in {} s",
                threads_.size() + 1, wanted_, e.what(), threads_.size(), kRetryStartEvery.count());
            next_start_attempt_ = now + kRetryStartEvery;
            return;
        }
    }
}

std::vector<DiscoveryPool::Finished> DiscoveryPool::take_finished() {
    std::vector<Finished> out;
    std::lock_guard lock(mu_);
    out.swap(finished_);
    return out;
}

size_t DiscoveryPool::workers_running() const {
    return threads_.size();
}

size_t DiscoveryPool::queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

size_t DiscoveryPool::unfinished() const {
    std::lock_guard lock(mu_);
    return queue_.size() + running_ + finished_.size();
}

void DiscoveryPool::work() {
    std::unique_lock lock(mu_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        auto [ticket, job] = std::move(queue_.front());
        queue_.pop_front();
        ++running_;
        lock.unlock();
        Finished done;
        done.ticket = ticket;
        try {
            done.delegation = job();
        } catch (const std::exception& e) {
            done.local_error = e.what();
        }
        job = nullptr;  // its captures (a config) go before the lock is taken
        lock.lock();
        --running_;
        finished_.push_back(std::move(done));
    }
}

}  // namespace nswatch
