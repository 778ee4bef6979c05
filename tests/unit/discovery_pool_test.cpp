// DiscoveryPool: a fixed number of threads runs every queued discovery; a worker that cannot be
// started is tried again later, and a job that throws ends as a local error, not a crash.
#include "monitor/discovery_pool.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <system_error>
#include <thread>

using namespace nswatch;
using Clock = DiscoveryPool::Clock;

namespace {

// Collect finished jobs until `n` have ended (or 10 s have passed).
std::vector<DiscoveryPool::Finished> collect(DiscoveryPool& pool, size_t n) {
    std::vector<DiscoveryPool::Finished> out;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (out.size() < n && Clock::now() < deadline) {
        for (auto& f : pool.take_finished()) out.push_back(std::move(f));
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return out;
}

}  // namespace

TEST_CASE("discovery pool: 2,000 jobs on 3 threads, every result under its ticket",
          "[monitor][discovery_pool]") {
    std::mutex mu;
    std::set<std::thread::id> threads;
    std::atomic<int> running{0};
    std::atomic<int> most_running{0};
    DiscoveryPool pool(3);
    std::map<uint64_t, std::string> zone_of;
    for (int i = 0; i < 2000; ++i) {
        const std::string zone = "z" + std::to_string(i) + ".test";
        const uint64_t ticket = pool.submit([&, zone] {
            const int now = ++running;
            int seen = most_running.load();
            while (now > seen && !most_running.compare_exchange_weak(seen, now)) {
            }
            {
                std::lock_guard lock(mu);
                threads.insert(std::this_thread::get_id());
            }
            Delegation d;
            d.zone = zone;
            --running;
            return d;
        });
        CHECK(ticket != 0);
        CHECK(zone_of.emplace(ticket, zone).second);  // tickets are unique
    }
    CHECK(pool.queued() == 2000);  // nothing runs before maintain() starts the workers
    pool.maintain(Clock::now());
    CHECK(pool.workers_running() == 3);
    const auto done = collect(pool, 2000);
    REQUIRE(done.size() == 2000);
    for (const auto& f : done) {
        CHECK(f.local_error.empty());
        CHECK(f.delegation.zone == zone_of.at(f.ticket));
    }
    CHECK(threads.size() <= 3);
    CHECK(most_running.load() <= 3);
    CHECK(pool.unfinished() == 0);
}

TEST_CASE("discovery pool: a worker that cannot start is tried again later, jobs wait meanwhile",
          "[monitor][discovery_pool]") {
    int attempts = 0;
    bool refuse = true;
    DiscoveryPool pool(2, [&](std::function<void()> body) {
        ++attempts;
        if (refuse) {
            throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                                    "thread");
        }
        return std::thread(std::move(body));
    });
    const uint64_t ticket = pool.submit([] {
        Delegation d;
        d.zone = "late.test";
        return d;
    });
    const auto t0 = Clock::now();
    pool.maintain(t0);
    CHECK(attempts == 1);
    CHECK(pool.workers_running() == 0);
    refuse = false;
    pool.maintain(t0 + std::chrono::seconds(1));  // too soon after the failure: no attempt
    CHECK(attempts == 1);
    CHECK(pool.queued() == 1);
    pool.maintain(t0 + DiscoveryPool::kRetryStartEvery);
    CHECK(attempts == 3);
    CHECK(pool.workers_running() == 2);
    const auto done = collect(pool, 1);
    REQUIRE(done.size() == 1);
    CHECK(done[0].ticket == ticket);
    CHECK(done[0].delegation.zone == "late.test");
    pool.maintain(t0 + 2 * DiscoveryPool::kRetryStartEvery);  // all started: nothing more to do
    CHECK(attempts == 3);
}

TEST_CASE("discovery pool: a job that throws ends as a local error, the worker carries on",
          "[monitor][discovery_pool]") {
    DiscoveryPool pool(1);
    const uint64_t bad = pool.submit([]() -> Delegation {
        throw std::system_error(std::make_error_code(std::errc::too_many_files_open), "epoll");
    });
    const uint64_t good = pool.submit([] {
        Delegation d;
        d.zone = "fine.test";
        return d;
    });
    pool.maintain(Clock::now());
    const auto done = collect(pool, 2);
    REQUIRE(done.size() == 2);
    CHECK(done[0].ticket == bad);  // one worker: in order
    CHECK(done[0].local_error.find("epoll") != std::string::npos);
    CHECK(done[0].local_error.find("Too many open files") != std::string::npos);
    CHECK(done[1].ticket == good);
    CHECK(done[1].local_error.empty());
    CHECK(done[1].delegation.zone == "fine.test");
}

TEST_CASE("discovery pool: destroying it drops queued jobs and waits for the running one",
          "[monitor][discovery_pool]") {
    std::atomic<int> ran{0};
    std::atomic<bool> started{false};
    {
        DiscoveryPool pool(1);
        pool.submit([&] {
            started = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            ++ran;
            return Delegation{};
        });
        for (int i = 0; i < 100; ++i)
            pool.submit([&] {
                ++ran;
                return Delegation{};
            });
        pool.maintain(Clock::now());
        while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(ran == 1);  // the running one finished; the 100 queued never started
}
