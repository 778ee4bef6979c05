#include "alerts/alert_engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "alerts/notification.hpp"
#include "alerts/recovery_text.hpp"

namespace nswatch {

std::vector<std::pair<Alert, std::optional<std::string>>> AlertEngine::active_alerts() const {
    std::lock_guard lock(view_mutex_);
    return view_;
}

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
    persisted_first_seen_ = store_.load_serial_memory();
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

void AlertEngine::reconfigure(AlertSettings settings) {
    std::lock_guard lock(mutex_);
    pending_ = std::move(settings);
}

std::vector<Notice> AlertEngine::evaluate_once(WallTime now) {
    {
        std::lock_guard lock(mutex_);
        if (pending_) {
            settings_ = std::move(*pending_);
            pending_.reset();
            tracker_.set_settings(
                LifecycleSettings{settings_.resolve_after, settings_.repeat_interval});
            spdlog::info("alerts: settings reloaded ({} channels)", settings_.channels.size());
        }
    }
    const SnapshotPtr snap = snapshot_();
    if (!snap) return {};
    auto conditions = evaluate_rules(*snap, now, settings_);
    for (const auto& source : sources_) {
        auto more = source(now);
        conditions.insert(conditions.end(), std::make_move_iterator(more.begin()),
                          std::make_move_iterator(more.end()));
    }
    // An alert of a zone with no evidence yet (first round after a restart, discovery still
    // running) keeps its state; so does every alert while that zone is not judged.
    auto zone_state = [&snap](const std::string& zone) -> const ZoneState* {
        const auto& zones = snap->zones;
        auto it =
            std::lower_bound(zones.begin(), zones.end(), zone,
                             [](const ZoneState& z, const std::string& n) { return z.zone < n; });
        return it != zones.end() && (*it).zone == zone ? &*it : nullptr;
    };
    auto judged = [&](const Alert& a) {
        if (!snapshot_rule(a.rule)) return true;
        auto zl = a.labels.find("zone");
        const ZoneState* z = zl == a.labels.end() ? nullptr : zone_state(zl->second);
        return z == nullptr || judged_zone(*z);  // a zone no longer watched: its alerts end
    };
    auto notices = tracker_.evaluate(conditions, now, store_.silences(now), judged);
    for (auto& n : notices) {
        if (!n.resolved) continue;
        auto zl = n.alert.labels.find("zone");
        n.alert.summary = recovery_text(
            n.alert, zl == n.alert.labels.end() ? nullptr : zone_state(zl->second), now);
    }
    std::vector<OutboxItem> items;
    for (const auto& group : group_by_zone(notices)) {
        for (const auto& n : group.notices) {
            std::string labels;
            for (const auto& [k, v] : n.alert.labels) labels += " " + k + "=" + v;
            spdlog::info("alerts: {} {}{}: {} ({}, fingerprint {})",
                         n.resolved ? "RESOLVED" : "FIRING", n.alert.rule, labels, n.alert.summary,
                         n.reason, n.alert.fingerprint);
        }
        for (const auto& channel : settings_.channels) {
            auto payload = group_payload(group, snap->vantage, channel.min_severity);
            if (!payload.is_null()) items.push_back({channel.name, payload.dump()});
        }
    }
    store_.commit(tracker_.alerts(), items, now, serial_memory_changes(*snap));
    size_t firing = 0;
    std::vector<std::pair<Alert, std::optional<std::string>>> view;
    for (const auto& [_, a] : tracker_.alerts()) {
        firing += a.status == AlertStatus::firing;
        std::optional<std::string> muted_by;
        if (const Alert* m = inhibitor_of(a, tracker_.alerts())) muted_by = m->rule;
        view.emplace_back(a, std::move(muted_by));
    }
    std::stable_sort(view.begin(), view.end(), [](const auto& x, const auto& y) {
        return (x.first.status == AlertStatus::firing) > (y.first.status == AlertStatus::firing);
    });
    {
        std::lock_guard lock(view_mutex_);
        view_ = std::move(view);
    }
    firing_ = firing;
    if (!items.empty() && deliverer_ != nullptr) deliverer_->wake();
    return notices;
}

SerialMemory AlertEngine::serial_memory_changes(const Snapshot& snap) {
    SerialMemory changes;
    for (const auto& z : snap.zones) {
        if (!judged_zone(z)) continue;
        auto kept = persisted_first_seen_.find(z.zone);
        if (z.serials_in_flight.empty()) {
            if (kept == persisted_first_seen_.end()) continue;
            changes[z.zone];  // the lag is over: forget the zone
            persisted_first_seen_.erase(kept);
            continue;
        }
        std::map<uint32_t, WallTime> now(z.serials_in_flight.begin(), z.serials_in_flight.end());
        if (kept != persisted_first_seen_.end() && kept->second == now) continue;
        changes[z.zone] = now;
        persisted_first_seen_[z.zone] = std::move(now);
    }
    return changes;
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
