#include "alerts/delivery.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <set>

#include "alerts/channel.hpp"

namespace nswatch {

std::chrono::milliseconds backoff_delay(int attempts, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max) {
    auto d = initial;
    for (int i = 1; i < attempts && d < max; ++i) d *= 2;
    return std::min(d, max);
}

namespace {

// How long a thread sleeps at most: the outbox may have been written by another process.
constexpr std::chrono::milliseconds kMaxSleep{500};

std::chrono::milliseconds sleep_until_due(std::optional<WallTime> next) {
    if (!next) return kMaxSleep;
    const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
        *next - std::chrono::system_clock::now());
    return std::clamp(until, std::chrono::milliseconds(5), kMaxSleep);
}

}  // namespace

Deliverer::Deliverer(const std::string& state_path, AlertSettings settings, Sender sender)
    : settings_(std::move(settings)),
      sender_(std::move(sender)),
      state_path_(state_path),
      store_(state_path) {
    for (const auto& c : settings_.channels) channels_[c.name] = c;
    thread_ = std::thread([this] { supervise(); });
}

Deliverer::~Deliverer() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    for (Worker& w : workers_) {
        if (w.thread.joinable()) w.thread.join();
    }
}

void Deliverer::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
        for (Worker& w : workers_) w.woken = true;
    }
    cv_.notify_all();
}

std::set<std::string> Deliverer::sync_workers() {
    std::set<std::string> configured;
    {
        std::lock_guard lock(config_mutex_);
        for (const auto& [name, channel] : channels_) configured.insert(name);
    }
    std::set<std::string> served;
    std::vector<std::list<Worker>::iterator> finished;
    {
        std::lock_guard lock(mutex_);
        for (auto it = workers_.begin(); it != workers_.end(); ++it) {
            if (configured.count(it->channel) == 0) it->stop = true;
            if (it->done) {
                finished.push_back(it);
            } else {
                served.insert(it->channel);
            }
        }
        for (const std::string& name : configured) {
            if (served.count(name) != 0) continue;
            Worker& w = workers_.emplace_back();
            w.channel = name;
            served.insert(name);
            w.thread = std::thread([this, &w] { work(w); });
        }
    }
    cv_.notify_all();
    // Finished threads return at once: joining them here never waits on a receiver.
    for (auto it : finished) {
        it->thread.join();
        std::lock_guard lock(mutex_);
        workers_.erase(it);
    }
    return served;
}

void Deliverer::supervise() {
    while (true) {
        try {
            const std::set<std::string> served = sync_workers();
            drop_unconfigured(store_, served, std::chrono::system_clock::now());
        } catch (const std::exception& e) {
            spdlog::error("alerts: delivery: {}", e.what());
        }
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, kMaxSleep, [this] { return stop_ || woken_; });
        if (stop_) return;
        woken_ = false;
    }
}

void Deliverer::work(Worker& w) {
    std::unique_ptr<AlertStore> store;
    const auto stopping = [this, &w] {
        std::lock_guard lock(mutex_);
        return stop_ || w.stop;
    };
    while (!stopping()) {
        auto wait = kMaxSleep;
        try {
            // Opened here: an SQLite connection is used by the thread that opened it only.
            if (!store) store = std::make_unique<AlertStore>(state_path_);
            deliver_channel(*store, w.channel, std::chrono::system_clock::now(), stopping);
            wait = sleep_until_due(store->next_due_for(w.channel));
        } catch (const std::exception& e) {
            spdlog::error("alerts: delivery to '{}': {}", w.channel, e.what());
        }
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, wait, [this, &w] { return stop_ || w.stop || w.woken; });
        w.woken = false;
    }
    w.done = true;
    cv_.notify_all();
}

void Deliverer::reconfigure(AlertSettings settings) {
    std::map<std::string, ChannelConfig> channels;
    for (const auto& c : settings.channels) channels[c.name] = c;
    {
        std::lock_guard lock(config_mutex_);
        settings_ = std::move(settings);
        channels_ = std::move(channels);
    }
    wake();  // the supervisor starts and stops workers now
}

void Deliverer::drop_unconfigured(AlertStore& store, const std::set<std::string>& served,
                                  WallTime now) {
    for (const std::string& name : store.pending_channels()) {
        if (served.count(name) != 0) continue;
        {
            std::lock_guard lock(config_mutex_);
            if (channels_.count(name) != 0) continue;  // configured meanwhile: its worker starts
        }
        for (const auto& row : store.pending_for(name, 200)) {
            // The channel was removed from the config while this waited: nowhere to send it.
            store.mark_given_up(row.id, now, "channel no longer configured");
            counters_.given_up++;
            spdlog::warn("alerts: notification {} for removed channel '{}' dropped", row.id,
                         row.channel);
        }
    }
}

void Deliverer::deliver_due(WallTime now) {
    std::set<std::string> configured;
    {
        std::lock_guard lock(config_mutex_);
        for (const auto& [name, channel] : channels_) configured.insert(name);
    }
    const auto never = [] { return false; };
    for (const std::string& name : configured) deliver_channel(store_, name, now, never);
    drop_unconfigured(store_, configured, now);
}

void Deliverer::deliver_channel(AlertStore& store, const std::string& name, WallTime now,
                                const std::function<bool()>& stopping) {
    // One pass uses one configuration, even if a reload lands meanwhile.
    AlertSettings settings;
    ChannelConfig channel;
    {
        std::lock_guard lock(config_mutex_);
        auto it = channels_.find(name);
        if (it == channels_.end()) return;  // removed: the supervisor gives its rows up
        settings = settings_;
        channel = it->second;
    }
    // The channel gets its notifications in outbox order: a row waiting for its retry holds back
    // the later rows, so a "resolved" never arrives before its "firing".
    for (const auto& row : store.pending_for(name, 200)) {
        if (stopping()) return;
        if (row.next_attempt > now) return;
        const auto payload = nlohmann::json::parse(row.payload, nullptr, false);
        DeliveryVerdict verdict = DeliveryVerdict::delivered;
        std::string error;
        if (payload.is_discarded()) {
            verdict = DeliveryVerdict::give_up;
            error = "unreadable outbox payload";
        } else {
            const auto hold = settings.repeat_interval + std::chrono::hours(1);
            for (const auto& request : channel_requests(channel, payload, now, hold)) {
                const HttpResult r = sender_(request, channel.timeout);
                verdict = classify(r);
                if (verdict != DeliveryVerdict::delivered) {
                    error = r.transport_error ? r.error : "HTTP " + std::to_string(r.status);
                    break;
                }
            }
        }
        const int attempts = row.attempts + 1;
        if (verdict == DeliveryVerdict::delivered) {
            store.mark_delivered(row.id, now);
            counters_.delivered++;
            spdlog::info("alerts: notification {} delivered to '{}' (attempt {})", row.id,
                         channel.name, attempts);
        } else if (verdict == DeliveryVerdict::give_up ||
                   now - row.created >= settings.max_delivery_age) {
            store.mark_given_up(row.id, now, error);
            counters_.given_up++;
            spdlog::error("alerts: notification {} to '{}' given up after {} attempts: {}", row.id,
                          channel.name, attempts, error);
        } else {
            const auto delay = backoff_delay(attempts, settings.retry_initial, settings.retry_max);
            store.mark_retry(row.id, attempts, now + delay, error);
            counters_.retried++;
            // Logged once per notification: a receiver down for an hour is one line, not 60.
            if (attempts == 1) {
                spdlog::warn("alerts: notification {} to '{}' failed ({}); retrying with backoff",
                             row.id, channel.name, error);
            }
            return;  // the later rows wait behind this one
        }
    }
}

}  // namespace nswatch
