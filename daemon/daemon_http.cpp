// The daemon's HTTP server: what it serves beside /metrics (the status sections of the services
// that run) and how POST /-/reload reaches the monitor.
#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "alerts/alert_engine.hpp"
#include "alerts/alert_metrics.hpp"
#include "alerts/delivery.hpp"
#include "alerts/recovery_text.hpp"
#include "catalog/catalog_source.hpp"
#include "daemon/daemon.hpp"
#include "daemon/history_collector.hpp"
#include "exporter/http_server.hpp"
#include "exporter/probe_metrics.hpp"
#include "exporter/snapshot_collector.hpp"
#include "monitor/monitor.hpp"
#include "propagation/propagation_json.hpp"
#include "propagation/propagation_service.hpp"
#include "storage/writer.hpp"
#include "zonediff/diff_json.hpp"
#include "zonediff/diff_service.hpp"
#include "zonediff/reference_json.hpp"
#include "zonediff/reference_service.hpp"

namespace nswatch {

namespace {

/// The status page's and /api/v1/status's "alerts" section: what fires or waits, and for how long.
nlohmann::json active_alerts_json(const AlertEngine& engine) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& [alert, muted_by] : engine.active_alerts()) {
        rows.push_back(
            {{"state", muted_by ? "muted by " + *muted_by : std::string(to_string(alert.status))},
             {"severity", to_string(alert.severity)},
             {"rule", alert.rule},
             {"for", human_duration(std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now() - alert.active_since))},
             {"summary", alert.summary}});
    }
    return rows;
}

}  // namespace

void Daemon::start_http() {
    if (!config_.http.enabled) return;
    HttpServerOptions ho;
    ho.listen = config_.http.listen;
    ho.web = web_;
    ho.limits.max_connections = static_cast<size_t>(config_.http.max_connections);
    ho.limits.max_connections_per_client =
        static_cast<size_t>(config_.http.max_connections_per_client);
    ho.limits.header_timeout = config_.http.header_timeout;
    ho.limits.idle_timeout = config_.http.idle_timeout;
    ho.limits.write_timeout = config_.http.write_timeout;
    if (propagation_) {
        ho.status_sections.emplace_back(
            "propagation", [p = propagation_.get()] { return last_propagation_json(p->recent()); });
    }
    if (diff_) {
        ho.status_sections.emplace_back("zone_diff",
                                        [d = diff_.get()] { return zone_diff_json(d->results()); });
    }
    if (reference_) {
        ho.status_sections.emplace_back(
            "zone_drift", [r = reference_.get()] { return zone_drift_json(r->results()); });
    }
    if (alert_engine_) {
        ho.status_sections.emplace_back(
            "alerts", [a = alert_engine_.get()] { return active_alerts_json(*a); });
    }
    // POST /-/reload: the file is checked here, so the caller sees its error at once; the reload
    // itself runs on the monitor's loop as for SIGHUP.
    ho.reload = [this]() -> std::string {
        try {
            load_config();
        } catch (const std::exception& e) {
            spdlog::error("reload requested over HTTP: {}: config not reloaded", e.what());
            return e.what();
        }
        spdlog::info("reload requested over HTTP");
        reload_ = true;
        return "";
    };

    auto snapshot = [m = monitor_.get()] { return m->snapshot(); };
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables{
        metrics_, std::make_shared<SnapshotCollector>(snapshot)};
    if (history_) collectables.push_back(std::make_shared<HistoryCollector>(*history_));
    if (propagation_) collectables.push_back(propagation_->registry());
    if (diff_) collectables.push_back(diff_->registry());
    // Every catalog's series, whichever catalogs a reload adds.
    if (catalog_metrics_) collectables.push_back(catalog_metrics_);
    if (reference_) collectables.push_back(reference_->registry());
    if (alert_engine_) {
        collectables.push_back(std::make_shared<AlertMetrics>(*deliverer_, *alert_engine_));
    }
    try {
        http_ = std::make_unique<HttpServer>(ho, snapshot, std::move(collectables));
    } catch (const std::exception& e) {
        throw DaemonStartError({std::string("http: ") + e.what()});
    }
    spdlog::info(
        "http: listening on {} (port {}): /metrics /api/v1/status / /-/healthy /-/ready "
        "/-/reload",
        fmt::join(config_.http.listen, ", "), http_->port());
}

}  // namespace nswatch
