#include "alerts/alert_engine.hpp"

#include <spdlog/spdlog.h>

#include "alerts/notification.hpp"

namespace nswatch {

std::string alert_state_path(const AlertSettings& settings, const std::string& storage_path) {
    if (!settings.state_path.empty()) return settings.state_path;
    if (!storage_path.empty()) return storage_path + ".alerts.db";
    return "nswatch-alerts.db";
}

AlertEngine::AlertEngine(const std::string& state_path, AlertSettings settings,
                         std::function<SnapshotPtr()> snapshot, Deliverer* deliverer)
    : settings_(std::move(settings)),
      snapshot_(std::move(snapshot)),
      deliverer_(deliverer),
      store_(state_path),
      tracker_(LifecycleSettings{settings_.resolve_after, settings_.repeat_interval}) {
    tracker_.restore(store_.load_alerts());
    if (!tracker_.alerts().empty()) {
        spdlog::info("alerts: {} active alerts restored from {}", tracker_.alerts().size(),
                     state_path);
    }
}

AlertEngine::~AlertEngine() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::vector<Notice> AlertEngine::evaluate_once(WallTime now) {
    const SnapshotPtr snap = snapshot_();
    if (!snap) return {};
    // Before the first round every zone is empty: evaluating that would resolve the alerts
    // restored after a restart only to fire them again a round later.
    for (const auto& z : snap->zones) {
        if (z.rounds == 0) return {};
    }
    auto conditions = evaluate_rules(*snap, now, settings_);
    for (const auto& source : sources_) {
        auto more = source(now);
        conditions.insert(conditions.end(), std::make_move_iterator(more.begin()),
                          std::make_move_iterator(more.end()));
    }
    const auto notices = tracker_.evaluate(conditions, now, store_.silences(now));
    std::vector<OutboxItem> items;
    for (const auto& group : group_by_zone(notices)) {
        for (const auto& n : group.notices) {
            spdlog::info("alerts: {} {} {} ({})", n.resolved ? "resolved" : "firing", n.alert.rule,
                         n.alert.fingerprint, n.reason);
        }
        for (const auto& channel : settings_.channels) {
            auto payload = group_payload(group, snap->vantage, channel.min_severity);
            if (!payload.is_null()) items.push_back({channel.name, payload.dump()});
        }
    }
    store_.commit(tracker_.alerts(), items, now);
    size_t firing = 0;
    for (const auto& [_, a] : tracker_.alerts()) firing += a.status == AlertStatus::firing;
    firing_ = firing;
    if (!items.empty() && deliverer_ != nullptr) deliverer_->wake();
    return notices;
}

void AlertEngine::start() {
    thread_ = std::thread([this] {
        while (true) {
            try {
                evaluate_once(std::chrono::system_clock::now());
            } catch (const std::exception& e) {
                spdlog::error("alerts: evaluation: {}", e.what());
            }
            std::unique_lock lock(mutex_);
            if (cv_.wait_for(lock, settings_.evaluation_interval, [this] { return stop_; })) return;
        }
    });
}

}  // namespace nswatch
