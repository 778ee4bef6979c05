// `nswatch run -c FILE`: the daemon. Wires the monitor loop to its sinks (SQLite history,
// Prometheus metrics) and the HTTP server, and handles SIGHUP (reload) and SIGTERM/SIGINT (drain,
// commit, exit).
#include <malloc.h>
#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <set>

#include "alerts/alert_engine.hpp"
#include "alerts/alert_metrics.hpp"
#include "alerts/recovery_text.hpp"
#include "alerts/resolution_rules.hpp"
#include "alerts/zone_diff_rule.hpp"
#include "cli/commands.hpp"
#include "cli/descriptor_limit.hpp"
#include "cli/history_collector.hpp"
#include "cli/preflight.hpp"
#include "config/config.hpp"
#include "exporter/http_server.hpp"
#include "exporter/probe_metrics.hpp"
#include "exporter/snapshot_collector.hpp"
#include "exporter/web_config.hpp"
#include "monitor/monitor.hpp"
#include "nswatch_version.hpp"
#include "propagation/propagation_json.hpp"
#include "propagation/propagation_service.hpp"
#include "propagation/propagation_store.hpp"
#include "resolver/resolver_service.hpp"
#include "storage/answer_change_store.hpp"
#include "storage/writer.hpp"
#include "zonediff/diff_json.hpp"
#include "zonediff/diff_service.hpp"

namespace nswatch {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

extern "C" void on_signal(int sig) {
    if (sig == SIGHUP) {
        g_reload = true;
    } else {
        g_stop = true;
    }
}

std::chrono::hours hours_of(std::chrono::milliseconds d) {
    return std::chrono::ceil<std::chrono::hours>(d);
}

}  // namespace

int run_daemon(const RunArgs& args) {
    LoadOptions lo;
    lo.require_zones = true;
    Config config;
    try {
        config = load_config_file(args.config_path, lo);
        if (!args.listen.empty()) config.http.listen = {args.listen};
        if (!args.db.empty()) config.storage.path = args.db;
        if (!args.root_hints.empty()) config.root_hints = args.root_hints;
    } catch (const std::exception& e) {
        std::cerr << "nswatch run: " << e.what() << "\n";
        return 3;
    }
    // Before any file or socket is made: what this machine cannot give the config, in plain words.
    if (const auto problems = preflight(config, true); !problems.empty()) {
        for (const auto& p : problems) std::cerr << "nswatch run: " << p << "\n";
        return 3;
    }
    std::shared_ptr<const WebConfig> web;
    if (!args.web_config.empty()) {
        try {
            auto w = std::make_shared<WebConfig>(load_web_config(args.web_config));
            if (w->tls()) make_tls_context(*w);  // the certificate and key load, or we say why
            web = std::move(w);
        } catch (const std::exception& e) {
            std::cerr << "nswatch run: " << e.what() << "\n";
            return 3;
        }
    }
    // The YAML node tree of a large config is freed by now, but glibc keeps its pages: ~16 KiB
    // per zone, more than everything the daemon keeps per zone afterwards, so it set the
    // daemon's resident size (bench/memory.sh, BENCHMARKS.md "Daemon memory"). Hand them back.
    malloc_trim(0);

    std::unique_ptr<HistoryWriter> history;
    if (!config.storage.path.empty()) {
        try {
            WriterSettings ws;
            ws.capacity = static_cast<size_t>(config.storage.queue);
            ws.retention.raw = hours_of(config.storage.raw_retention);
            ws.retention.minute = hours_of(config.storage.minute_retention);
            ws.retention.hour = hours_of(config.storage.hour_retention);
            history = std::make_unique<HistoryWriter>(
                std::make_unique<HistoryStore>(config.storage.path), ws);
            spdlog::info("history: {}", config.storage.path);
        } catch (const std::exception& e) {
            std::cerr << "nswatch run: " << e.what() << "\n";
            return 3;
        }
    } else {
        spdlog::warn("no storage.path in the config: probe history is not kept");
    }

    const auto histogram_by =
        config.http.rtt_histogram == "provider" ? ProbeMetrics::HistogramBy::provider
        : config.http.rtt_histogram == "off"    ? ProbeMetrics::HistogramBy::off
                                                : ProbeMetrics::HistogramBy::target;
    auto metrics = std::make_shared<ProbeMetrics>(kVersion, config.http.rtt_buckets, histogram_by);
    std::vector<ResultSink> sinks;
    sinks.push_back([metrics](const ProbeResult& r) { metrics->observe(r); });
    if (history) sinks.push_back([h = history.get()](const ProbeResult& r) { h->submit(r); });

    std::unique_ptr<Monitor> monitor;
    try {
        monitor = std::make_unique<Monitor>(config, sinks);
    } catch (const std::exception& e) {
        std::cerr << "nswatch run: " << e.what() << "\n";
        return 3;
    }
    // Within the open-files limit by design: when it is short, fewer sockets are kept and probes
    // wait their turn (one line says so), rather than failing for want of a descriptor.
    auto plan_for = [](const Config& c) {
        const DescriptorPlan plan = plan_descriptors(descriptor_needs(c), open_files_limit());
        if (plan.short_of_descriptors) spdlog::warn("{}", plan.summary);
        return plan;
    };
    const DescriptorPlan fds = plan_for(config);
    monitor->limit_resources(fds.probe_sockets, fds.discovery_workers);
    monitor->on_reload([m = monitor.get(), plan_for](const Config& c) {
        const DescriptorPlan plan = plan_for(c);
        m->limit_resources(plan.probe_sockets, plan.discovery_workers);
    });
    monitor->on_watched_result([metrics](const ProbeResult& r) { metrics->observe_watched(r); });
    monitor->on_answer_changes(
        [metrics](const std::string& zone, const std::vector<AnswerChange>& changes) {
            for (const auto& c : changes) metrics->count_answer_change(zone, c.provider);
        });
    monitor->on_reload([metrics](const Config& c) {
        std::set<std::string> zones;
        for (const auto& z : c.zones) zones.insert(z.name);
        metrics->retain_zones(zones);
    });
    if (!config.storage.path.empty()) {
        try {
            auto store = std::make_shared<AnswerChangeStore>(config.storage.path);
            monitor->on_answer_changes([store, vantage = config.default_vantage](
                                           const std::string& zone,
                                           const std::vector<AnswerChange>& cs) {
                try {
                    store->record(zone, vantage, cs, std::chrono::system_clock::now());
                } catch (const std::exception& e) {
                    spdlog::error("history: answer changes of {} not stored: {}", zone, e.what());
                }
            });
        } catch (const std::exception& e) {
            std::cerr << "nswatch run: " << e.what() << "\n";
            return 3;
        }
    }
    auto snapshot = [m = monitor.get()] { return m->snapshot(); };
    std::unique_ptr<ResolverService> resolution;  // off unless the config lists resolvers
    try {
        resolution = start_resolution(config, snapshot, *metrics->registry());
    } catch (const std::exception& e) {
        std::cerr << "nswatch run: resolution probes: " << e.what() << "\n";
        return 3;
    }

    // NOTIFY listener and propagation runs: their own thread and engine; SIGHUP reconfigures them
    // (propagation/propagation_service.hpp says what needs a restart).
    std::unique_ptr<PropagationService> propagation;
    if (config.notify.enabled || config.propagation.enabled) {
        try {
            std::vector<PropagationSink> runs_to;
            if (!config.storage.path.empty()) {
                auto store = std::make_shared<PropagationStore>(config.storage.path);
                runs_to.push_back([store](const PropagationRecord& r) {
                    try {
                        store->record(r);
                    } catch (const std::exception& e) {
                        spdlog::error("propagation: not stored: {}", e.what());
                    }
                });
            }
            propagation = std::make_unique<PropagationService>(config, snapshot, runs_to);
        } catch (const std::exception& e) {
            std::cerr << "nswatch run: " << e.what() << "\n";
            return 3;
        }
    }

    // Scheduled zone diff: its own thread, transfers one at a time; SIGHUP reconfigures it.
    std::unique_ptr<DiffService> diff;
    if (config.diff.enabled()) {
        diff = std::make_unique<DiffService>(config, snapshot);
        spdlog::info("diff: every {} s from {} providers with transfer: settings",
                     std::chrono::duration<double>(config.diff.interval).count(),
                     config.transfers.size());
    }

    // Alerting: the delivery thread first, so the evaluator can wake it; both stop before the
    // monitor's snapshot source goes away.
    std::unique_ptr<Deliverer> deliverer;
    std::unique_ptr<AlertEngine> alert_engine;
    if (config.alerts.enabled) {
        try {
            const std::string state = alert_state_path(config.alerts, config.storage.path);
            deliverer = std::make_unique<Deliverer>(state, config.alerts);
            alert_engine =
                std::make_unique<AlertEngine>(state, config.alerts, snapshot, deliverer.get());
            monitor->restore_serial_first_seen(alert_engine->stored_serial_memory());
            if (resolution) {
                // resolution_failing / _slow / _unverified as judged at the prober's last round.
                alert_engine->add_condition_source(
                    [prober = resolution->prober.get(), engine = alert_engine.get()](WallTime) {
                        return resolution_alert_conditions(prober->view()->conditions,
                                                           engine->current_settings());
                    });
            }
            if (diff) {
                // zone_diff_mismatch from the newest scheduled diff of each zone.
                alert_engine->add_condition_source(
                    [d = diff.get(), engine = alert_engine.get()](WallTime) {
                        return zone_diff_conditions(d->results(), engine->current_settings());
                    });
            }
            alert_engine->start();
            spdlog::info("alerts: state {}, {} channels, evaluated every {} s", state,
                         config.alerts.channels.size(),
                         std::chrono::duration<double>(config.alerts.evaluation_interval).count());
        } catch (const std::exception& e) {
            std::cerr << "nswatch run: alerts: " << e.what() << "\n";
            return 3;
        }
    }

    std::unique_ptr<HttpServer> http;
    if (config.http.enabled) {
        try {
            HttpServerOptions ho;
            ho.listen = config.http.listen;
            ho.web = web;
            ho.limits.max_connections = static_cast<size_t>(config.http.max_connections);
            ho.limits.max_connections_per_client =
                static_cast<size_t>(config.http.max_connections_per_client);
            ho.limits.header_timeout = config.http.header_timeout;
            ho.limits.idle_timeout = config.http.idle_timeout;
            ho.limits.write_timeout = config.http.write_timeout;
            if (propagation) {
                ho.status_sections.emplace_back("propagation", [p = propagation.get()] {
                    return last_propagation_json(p->recent());
                });
            }
            if (diff) {
                ho.status_sections.emplace_back(
                    "zone_diff", [d = diff.get()] { return zone_diff_json(d->results()); });
            }
            // POST /-/reload: the file is checked here, so the caller sees its error at once; the
            // reload itself runs on the monitor's loop as for SIGHUP.
            ho.reload = [path = args.config_path, lo]() -> std::string {
                try {
                    load_config_file(path, lo);
                } catch (const std::exception& e) {
                    spdlog::error("reload requested over HTTP: {}: config not reloaded", e.what());
                    return e.what();
                }
                spdlog::info("reload requested over HTTP");
                g_reload = true;
                return "";
            };
            if (alert_engine) {
                ho.status_sections.emplace_back("alerts", [a = alert_engine.get()] {
                    nlohmann::json rows = nlohmann::json::array();
                    for (const auto& [alert, muted_by] : a->active_alerts()) {
                        rows.push_back(
                            {{"state", muted_by ? "muted by " + *muted_by
                                                : std::string(to_string(alert.status))},
                             {"severity", to_string(alert.severity)},
                             {"rule", alert.rule},
                             {"for",
                              human_duration(std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now() - alert.active_since))},
                             {"summary", alert.summary}});
                    }
                    return rows;
                });
            }
            std::vector<std::shared_ptr<prometheus::Collectable>> collectables{
                metrics, std::make_shared<SnapshotCollector>(snapshot)};
            if (history) collectables.push_back(std::make_shared<HistoryCollector>(*history));
            if (propagation) collectables.push_back(propagation->registry());
            if (diff) collectables.push_back(diff->registry());
            if (alert_engine) {
                collectables.push_back(std::make_shared<AlertMetrics>(*deliverer, *alert_engine));
            }
            http = std::make_unique<HttpServer>(ho, snapshot, std::move(collectables));
            spdlog::info(
                "http: listening on {} (port {}): /metrics /api/v1/status / /-/healthy "
                "/-/ready /-/reload",
                fmt::join(config.http.listen, ", "), http->port());
        } catch (const std::exception& e) {
            std::cerr << "nswatch run: http: " << e.what() << "\n";
            return 3;
        }
    }

    // SIGHUP: alert rules, channels and timings follow the new config; turning alerting on or off
    // or moving its state file needs a restart (the threads and the database are set up once).
    monitor->on_reload(
        [&config, engine = alert_engine.get(), d = deliverer.get()](const Config& c) {
            const bool was_on = engine != nullptr;
            if (c.alerts.enabled != was_on ||
                (was_on && alert_state_path(c.alerts, c.storage.path) !=
                               alert_state_path(config.alerts, config.storage.path))) {
                spdlog::warn(
                    "alerts: enabling, disabling or moving the state file needs a restart; "
                    "keeping the running alert configuration");
                return;
            }
            if (!was_on) return;
            engine->reconfigure(c.alerts);
            d->reconfigure(c.alerts);
            spdlog::info("alerts: reloaded: {} channels", c.alerts.channels.size());
        });

    // SIGHUP: the propagation service and the scheduled diff take the new config between runs;
    // starting or stopping either needs a restart.
    monitor->on_reload([p = propagation.get(), d = diff.get()](const Config& c) {
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

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);

    spdlog::info("watching {} zones every {} s", config.zones.size(),
                 std::chrono::duration<double>(config.probe.interval).count());
    // Everything that needs the zones has its own copy now (the monitor, propagation): this one
    // would only take memory (a copy of every zone's config). The rest of it is still read on
    // reload (alerts).
    std::vector<ZoneConfig>().swap(config.zones);
    const std::string path = args.config_path;
    monitor->run(g_stop, g_reload, [path, lo, &args] {
        Config c = load_config_file(path, lo);
        if (!args.db.empty()) c.storage.path = args.db;
        if (!args.root_hints.empty()) c.root_hints = args.root_hints;
        if (!args.listen.empty()) c.http.listen = {args.listen};
        malloc_trim(0);  // the YAML tree's pages, as at start-up
        return c;
    });
    spdlog::info("stopping: {} rounds done; committing history", monitor->rounds_completed());
    http.reset();          // first: its /metrics reads the alert engine
    alert_engine.reset();  // before resolution and diff: its condition sources read them
    deliverer.reset();
    resolution.reset();  // a round in flight finishes and is written
    propagation.reset();
    diff.reset();  // waits for a transfer in flight (diff.timeout per read)
    if (history) {
        history->stop();
        spdlog::info("history: {} results written, {} dropped", history->written(),
                     history->dropped());
    }
    return 0;
}

}  // namespace nswatch
