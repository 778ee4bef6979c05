#include "daemon/daemon.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include "alerts/alert_engine.hpp"
#include "alerts/curl_library.hpp"
#include "alerts/delivery.hpp"
#include "alerts/resolution_rules.hpp"
#include "alerts/zone_diff_rule.hpp"
#include "alerts/zone_drift_rule.hpp"
#include "catalog/catalog_source.hpp"
#include "config/shard.hpp"
#include "daemon/descriptor_limit.hpp"
#include "daemon/preflight.hpp"
#include "exporter/http_server.hpp"
#include "exporter/probe_metrics.hpp"
#include "exporter/web_config.hpp"
#include "monitor/monitor.hpp"
#include "nswatch_version.hpp"
#include "propagation/propagation_service.hpp"
#include "propagation/propagation_store.hpp"
#include "resolver/resolver_service.hpp"
#include "storage/answer_change_store.hpp"
#include "storage/writer.hpp"
#include "zonediff/diff_service.hpp"
#include "zonediff/reference_service.hpp"

namespace nswatch {

namespace {

std::chrono::hours hours_of(std::chrono::milliseconds d) {
    return std::chrono::ceil<std::chrono::hours>(d);
}

/// Run `step`; an exception becomes the start error "PREFIX: what".
template <typename F>
void starting(const std::string& prefix, F&& step) {
    try {
        step();
    } catch (const DaemonStartError&) {
        throw;
    } catch (const std::exception& e) {
        throw DaemonStartError({prefix.empty() ? e.what() : prefix + ": " + e.what()});
    }
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l;
    return s;
}

}  // namespace

DaemonStartError::DaemonStartError(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

Config Daemon::load_config() const {
    LoadOptions lo;
    lo.require_zones = true;
    Config c = load_config_file(options_.config_path, lo);
    if (!options_.listen.empty()) c.http.listen = {options_.listen};
    if (!options_.db.empty()) c.storage.path = options_.db;
    if (!options_.root_hints.empty()) c.root_hints = options_.root_hints;
    return c;
}

Daemon::Daemon(DaemonOptions options, std::atomic<bool>& reload)
    : options_(std::move(options)), reload_(reload) {
    starting("", [&] { config_ = load_config(); });
    // Before any file or socket is made: what this machine cannot give the config, in plain words.
    if (auto problems = preflight(config_, true); !problems.empty()) {
        throw DaemonStartError(std::move(problems));
    }
    if (!options_.web_config.empty()) {
        starting("", [&] {
            auto w = std::make_shared<WebConfig>(load_web_config(options_.web_config));
            if (w->tls()) make_tls_context(*w);  // the certificate and key load, or we say why
            web_ = std::move(w);
        });
    }
    // The YAML node tree of a large config is freed by now, but glibc keeps its pages: ~16 KiB
    // per zone, more than everything the daemon keeps per zone afterwards, so it set the
    // daemon's resident size (bench/memory.sh, BENCHMARKS.md "Daemon memory"). Hand them back.
    malloc_trim(0);

    start_catalog();
    start_history();
    start_monitor();
    start_side_services();
    start_alerts();
    start_http();
    wire_reload();

    spdlog::info("{}", shard_summary(config_.inventory.shard, config_.zones.size(),
                                     config_.inventory.listed));
    spdlog::info("watching {} zones every {} s", config_.zones.size(),
                 std::chrono::duration<double>(config_.probe.interval).count());
    // The monitor and propagation keep their own copies of the zones; the rest of this copy is
    // still read on reload (alerts), the zones would only take memory.
    std::vector<ZoneConfig>().swap(config_.zones);
}

Daemon::~Daemon() {
    shutdown();
}

void Daemon::start_history() {
    if (config_.storage.path.empty()) {
        spdlog::warn("no storage.path in the config: probe history is not kept");
    } else {
        starting("", [&] {
            WriterSettings ws;
            ws.capacity = static_cast<size_t>(config_.storage.queue);
            ws.retention.raw = hours_of(config_.storage.raw_retention);
            ws.retention.minute = hours_of(config_.storage.minute_retention);
            ws.retention.hour = hours_of(config_.storage.hour_retention);
            history_ = std::make_unique<HistoryWriter>(
                std::make_unique<HistoryStore>(config_.storage.path), ws);
            spdlog::info("history: {}", config_.storage.path);
        });
    }
    const auto histogram_by =
        config_.http.rtt_histogram == "provider" ? ProbeMetrics::HistogramBy::provider
        : config_.http.rtt_histogram == "off"    ? ProbeMetrics::HistogramBy::off
                                                 : ProbeMetrics::HistogramBy::target;
    metrics_ = std::make_shared<ProbeMetrics>(kVersion, config_.http.rtt_buckets, histogram_by);
    metrics_->set_shard(config_.inventory.shard.index, config_.inventory.shard.count);
}

void Daemon::start_monitor() {
    std::vector<ResultSink> sinks;
    sinks.push_back([m = metrics_](const ProbeResult& r) { m->observe(r); });
    if (history_) sinks.push_back([h = history_.get()](const ProbeResult& r) { h->submit(r); });
    starting("", [&] { monitor_ = std::make_unique<Monitor>(config_, sinks); });

    // Within the open-files limit by design: when it is short, fewer sockets are kept and probes
    // wait their turn (one line says so), rather than failing for want of a descriptor.
    const DescriptorPlan plan = plan_descriptors(descriptor_needs(config_), open_files_limit());
    if (plan.short_of_descriptors) spdlog::warn("{}", plan.summary);
    monitor_->limit_resources(plan.probe_sockets, plan.discovery_workers);

    monitor_->on_watched_result([m = metrics_](const ProbeResult& r) { m->observe_watched(r); });
    monitor_->on_answer_changes(
        [m = metrics_](const std::string& zone, const std::vector<AnswerChange>& changes) {
            for (const auto& c : changes) m->count_answer_change(zone, c.provider);
        });
    if (!config_.storage.path.empty()) {
        starting("", [&] {
            auto store = std::make_shared<AnswerChangeStore>(config_.storage.path);
            monitor_->on_answer_changes([store, vantage = config_.default_vantage](
                                            const std::string& zone,
                                            const std::vector<AnswerChange>& cs) {
                try {
                    store->record(zone, vantage, cs, std::chrono::system_clock::now());
                } catch (const std::exception& e) {
                    spdlog::error("history: answer changes of {} not stored: {}", zone, e.what());
                }
            });
        });
    }
}

void Daemon::start_side_services() {
    auto snapshot = [m = monitor_.get()] { return m->snapshot(); };
    // Off unless the config lists resolvers.
    starting("resolution probes",
             [&] { resolution_ = start_resolution(config_, snapshot, *metrics_->registry()); });

    // NOTIFY listener and propagation runs (propagation/propagation_service.hpp says what a
    // reload cannot change).
    if (config_.notify.enabled || config_.propagation.enabled) {
        starting("", [&] {
            std::vector<PropagationSink> runs_to;
            if (!config_.storage.path.empty()) {
                auto store = std::make_shared<PropagationStore>(config_.storage.path);
                runs_to.push_back([store](const PropagationRecord& r) {
                    try {
                        store->record(r);
                    } catch (const std::exception& e) {
                        spdlog::error("propagation: not stored: {}", e.what());
                    }
                });
            }
            // A NOTIFY for a catalog refreshes it; it starts no propagation run.
            auto catalog_notify = [this](const NotifyEvent& e) { return notify_catalog(e.zone); };
            propagation_ =
                std::make_unique<PropagationService>(config_, snapshot, runs_to, catalog_notify);
        });
    }

    // Scheduled zone diff: transfers one at a time.
    if (config_.diff.enabled()) {
        diff_ = std::make_unique<DiffService>(config_, snapshot);
        spdlog::info("diff: every {} s from {} providers with transfer: settings",
                     std::chrono::duration<double>(config_.diff.interval).count(),
                     config_.transfers.size());
    }

    // Zones checked against their reference (zone_drift); a bad zone file stops the start here.
    if (ReferenceService::wanted(config_)) {
        starting("", [&] { reference_ = std::make_unique<ReferenceService>(config_, snapshot); });
    }
}

void Daemon::start_alerts() {
    if (!config_.alerts.enabled) return;
    starting("alerts", [&] {
        const std::string state = alert_state_path(config_.alerts, config_.storage.path);
        deliverer_ = std::make_unique<Deliverer>(state, config_.alerts);
        alert_engine_ = std::make_unique<AlertEngine>(
            state, config_.alerts, [m = monitor_.get()] { return m->snapshot(); },
            deliverer_.get());
        // The lag clocks continue from before a restart.
        monitor_->restore_serial_first_seen(alert_engine_->stored_serial_memory());
        if (resolution_) {
            // resolution_failing / _slow / _unverified as judged at the prober's last round.
            alert_engine_->add_condition_source(
                [prober = resolution_->prober.get(), engine = alert_engine_.get()](WallTime) {
                    return resolution_alert_conditions(prober->view()->conditions,
                                                       engine->current_settings());
                });
        }
        if (diff_) {
            // zone_diff_mismatch from the newest scheduled diff of each zone.
            alert_engine_->add_condition_source(
                [d = diff_.get(), engine = alert_engine_.get()](WallTime) {
                    return zone_diff_conditions(d->results(), engine->current_settings());
                });
        }
        if (reference_) {
            // zone_drift from each provider's answers to the reference questions.
            alert_engine_->add_condition_source(
                [r = reference_.get(), engine = alert_engine_.get()](WallTime) {
                    return zone_drift_conditions(r->results(), engine->current_settings());
                });
        }
        alert_engine_->start();
        if (!config_.alerts.channels.empty()) {
            // libcurl is opened now, not at the first alert (in an outage), so that a machine
            // without it says so at start.
            try {
                curl_library();
            } catch (const CurlUnavailable& e) {
                spdlog::error("alerts: no notification can be delivered: {}", e.what());
            }
        }
        spdlog::info("alerts: state {}, {} channels, evaluated every {} s", state,
                     config_.alerts.channels.size(),
                     std::chrono::duration<double>(config_.alerts.evaluation_interval).count());
    });
}

void Daemon::run(const std::atomic<bool>& stop) {
    monitor_->run(stop, reload_, [this] {
        Config c = load_config();
        sync_catalogs(c);
        malloc_trim(0);  // the YAML tree's pages, as at start-up
        return c;
    });
    spdlog::info("stopping: {} rounds done; committing history", monitor_->rounds_completed());
    shutdown();
}

void Daemon::shutdown() {
    http_.reset();          // first: its /metrics reads the alert engine
    alert_engine_.reset();  // before resolution and diff: its condition sources read them
    deliverer_.reset();
    diff_.reset();         // waits for a transfer in flight (diff.timeout per read)
    reference_.reset();    // waits for a round in flight (probe.timeout)
    propagation_.reset();  // a run in flight ends and is stored (its listener feeds the catalogs)
    {
        // Transfers in flight end (each catalog entry's timeout per read).
        std::lock_guard lock(catalogs_mu_);
        catalogs_.clear();
    }
    resolution_.reset();  // a round in flight finishes and is written
    monitor_.reset();     // nothing reads its snapshots any more; its results are handed over
    if (history_) {
        history_->stop();  // commits what is queued
        spdlog::info("history: {} results written, {} dropped", history_->written(),
                     history_->dropped());
        history_.reset();
    }
}

}  // namespace nswatch
