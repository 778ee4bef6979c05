#include "alerts/delivery.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "alerts/channel.hpp"

namespace nswatch {

std::chrono::milliseconds backoff_delay(int attempts, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max) {
    auto d = initial;
    for (int i = 1; i < attempts && d < max; ++i) d *= 2;
    return std::min(d, max);
}

Deliverer::Deliverer(const std::string& state_path, AlertSettings settings, Sender sender)
    : settings_(std::move(settings)), sender_(std::move(sender)), store_(state_path) {
    for (const auto& c : settings_.channels) channels_[c.name] = c;
    thread_ = std::thread([this] { loop(); });
}

Deliverer::~Deliverer() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Deliverer::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    cv_.notify_all();
}

void Deliverer::loop() {
    while (true) {
        try {
            deliver_due(std::chrono::system_clock::now());
        } catch (const std::exception& e) {
            spdlog::error("alerts: delivery: {}", e.what());
        }
        // Sleep until the next retry is due, at most half a second (the outbox may have been
        // written by another process); wake() makes new notices immediate.
        auto wait = std::chrono::milliseconds(500);
        try {
            if (auto next = store_.next_due()) {
                const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(
                    *next - std::chrono::system_clock::now());
                wait = std::clamp(until, std::chrono::milliseconds(5), wait);
            }
        } catch (const std::exception& e) {
            spdlog::error("alerts: delivery: {}", e.what());
        }
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, wait, [this] { return stop_ || woken_; });
        if (stop_) return;
        woken_ = false;
    }
}

void Deliverer::reconfigure(AlertSettings settings) {
    std::map<std::string, ChannelConfig> channels;
    for (const auto& c : settings.channels) channels[c.name] = c;
    std::lock_guard lock(config_mutex_);
    settings_ = std::move(settings);
    channels_ = std::move(channels);
}

void Deliverer::deliver_due(WallTime now) {
    // One pass uses one configuration, even if a reload lands meanwhile.
    AlertSettings settings;
    std::map<std::string, ChannelConfig> channels;
    {
        std::lock_guard lock(config_mutex_);
        settings = settings_;
        channels = channels_;
    }
    // Each channel gets its notifications in outbox order: a row waiting for its retry holds back
    // the later rows of its channel, so a "resolved" never arrives before its "firing".
    std::set<std::string> held;
    for (const auto& row : store_.pending(200)) {
        {
            std::lock_guard lock(mutex_);
            if (stop_) return;
        }
        if (held.count(row.channel) != 0) continue;
        if (row.next_attempt > now) {
            held.insert(row.channel);
            continue;
        }
        auto it = channels.find(row.channel);
        if (it == channels.end()) {
            // The channel was removed from the config while this waited: nowhere to send it.
            store_.mark_given_up(row.id, now, "channel no longer configured");
            counters_.given_up++;
            spdlog::warn("alerts: notification {} for removed channel '{}' dropped", row.id,
                         row.channel);
            continue;
        }
        const ChannelConfig& channel = it->second;
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
            store_.mark_delivered(row.id, now);
            counters_.delivered++;
            spdlog::info("alerts: notification {} delivered to '{}' (attempt {})", row.id,
                         channel.name, attempts);
        } else if (verdict == DeliveryVerdict::give_up ||
                   now - row.created >= settings.max_delivery_age) {
            store_.mark_given_up(row.id, now, error);
            counters_.given_up++;
            spdlog::error("alerts: notification {} to '{}' given up after {} attempts: {}", row.id,
                          channel.name, attempts, error);
        } else {
            const auto delay =
                backoff_delay(attempts, settings.retry_initial, settings.retry_max);
            store_.mark_retry(row.id, attempts, now + delay, error);
            held.insert(row.channel);
            counters_.retried++;
            // Logged once per notification: a receiver down for an hour is one line, not 60.
            if (attempts == 1) {
                spdlog::warn("alerts: notification {} to '{}' failed ({}); retrying with backoff",
                             row.id, channel.name, error);
            }
        }
    }
}

}  // namespace nswatch
