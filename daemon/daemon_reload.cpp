// What a reload (SIGHUP, POST /-/reload) changes in each running service. The monitor applies the
// new config on its own thread and then calls these, in the order they are added here. What a
// reload cannot change (turning a service on or off, moving a state file) is logged and left as
// it runs.
#include <spdlog/spdlog.h>

#include <set>

#include "alerts/alert_engine.hpp"
#include "alerts/delivery.hpp"
#include "config/shard.hpp"
#include "daemon/daemon.hpp"
#include "daemon/descriptor_limit.hpp"
#include "exporter/probe_metrics.hpp"
#include "monitor/monitor.hpp"
#include "propagation/propagation_service.hpp"
#include "zonediff/diff_service.hpp"
#include "zonediff/reference_service.hpp"

namespace nswatch {

void Daemon::wire_reload() {
    // The descriptor plan follows the new number of zones and servers.
    monitor_->on_reload([m = monitor_.get()](const Config& c) {
        const DescriptorPlan plan = plan_descriptors(descriptor_needs(c), open_files_limit());
        if (plan.short_of_descriptors) spdlog::warn("{}", plan.summary);
        m->limit_resources(plan.probe_sockets, plan.discovery_workers);
    });

    // Zones no longer in the config (or this shard) lose their series.
    monitor_->on_reload([m = metrics_](const Config& c) {
        std::set<std::string> zones;
        for (const auto& z : c.zones) zones.insert(z.name);
        m->retain_zones(zones);
        m->set_shard(c.inventory.shard.index, c.inventory.shard.count);
        spdlog::info("{}", shard_summary(c.inventory.shard, c.zones.size(), c.inventory.listed));
    });

    // Alert rules, channels and timings follow the new config; turning alerting on or off or
    // moving its state file needs a restart (the threads and the database are set up once).
    monitor_->on_reload([this](const Config& c) {
        const bool was_on = alert_engine_ != nullptr;
        if (c.alerts.enabled != was_on ||
            (was_on && alert_state_path(c.alerts, c.storage.path) !=
                           alert_state_path(config_.alerts, config_.storage.path))) {
            spdlog::warn(
                "alerts: enabling, disabling or moving the state file needs a restart; keeping "
                "the running alert configuration");
            return;
        }
        if (!was_on) return;
        alert_engine_->reconfigure(c.alerts);
        deliverer_->reconfigure(c.alerts);
        spdlog::info("alerts: reloaded: {} channels", c.alerts.channels.size());
    });

    // The propagation service and the scheduled diff take the new config between runs; starting
    // or stopping either needs a restart.
    monitor_->on_reload([p = propagation_.get(), d = diff_.get()](const Config& c) {
        const bool propagation_wanted = c.notify.enabled || c.propagation.enabled;
        if (p != nullptr) {
            p->reconfigure(c);
        } else if (propagation_wanted) {
            spdlog::warn("notify/propagation: turning them on needs a restart");
        }
        if (d != nullptr && c.diff.enabled()) {
            d->reconfigure(c);
        } else if (d != nullptr || c.diff.enabled()) {
            spdlog::warn("diff: turning the scheduled diff on or off needs a restart; {}",
                         d != nullptr ? "it keeps its previous settings" : "it stays off");
        }
    });
    monitor_->on_reload([r = reference_.get()](const Config& c) {
        if (r != nullptr) {
            r->reconfigure(c);
        } else if (ReferenceService::wanted(c)) {
            spdlog::warn("reference: checking zones against a reference needs a restart");
        }
    });
}

}  // namespace nswatch
