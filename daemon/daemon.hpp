// `nswatch run`: the services of the daemon, the order they start in and the order they stop in.
//
// Start (the constructor), each step able to refuse with a DaemonStartError before the next:
//   1. the config, with the command line's overrides, checked against this machine (preflight),
//      and the members of its catalogs (zones_from), each transferred before the monitor starts;
//   2. the web config (TLS, basic auth) for the HTTP server;
//   3. the history writer (its thread and SQLite file) and the probe metrics: the monitor's sinks;
//   4. the monitor (the probe loop; it runs on the caller's thread in run());
//   5. resolution probes, the NOTIFY listener and propagation runs, the scheduled zone diff, the
//      reference checks (zone_drift): each its own thread, reading the monitor's snapshots;
//   6. alert delivery, then the alert evaluator (it wakes the deliverer; its condition sources
//      read the monitor, resolution and diff);
//   7. the HTTP server last: everything it serves exists.
// Then what a reload (SIGHUP, POST /-/reload) changes in each service is wired to the monitor,
// which applies a reload on its own thread between two passes.
//
// Stop (shutdown(), also from the destructor) runs the same list backwards: HTTP first (its
// /metrics reads the alert engine), the alert evaluator before what its condition sources read,
// the services that read snapshots before the monitor, and the history writer last, so every
// result measured before the stop is committed. The members are declared in start order, so a
// start that fails half-way unwinds in the same stop order.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace nswatch {

class AlertEngine;
struct CatalogMetrics;
class CatalogSource;
class Deliverer;
class DiffService;
class ReferenceService;
class HistoryWriter;
class HttpServer;
class Monitor;
class ProbeMetrics;
class PropagationService;
struct ResolverService;
struct WebConfig;

/// What the command line gives the daemon.
struct DaemonOptions {
    std::string config_path;  ///< -c FILE
    std::string listen;       ///< --listen: replaces http.listen
    std::string db;           ///< --db: replaces storage.path
    std::string root_hints;   ///< --root-hints: replaces root_hints
    std::string web_config;   ///< --web-config: TLS and basic auth (exporter-toolkit format)
};

/// The daemon could not start: one line per problem, in the user's words.
class DaemonStartError : public std::runtime_error {
  public:
    explicit DaemonStartError(std::vector<std::string> problems);
    const std::vector<std::string>& problems() const { return problems_; }

  private:
    std::vector<std::string> problems_;
};

class Daemon {
  public:
    /// Start every service the config asks for (see the order above). `reload` is the flag that
    /// asks for a reload (set by SIGHUP; POST /-/reload sets it too). Throws DaemonStartError.
    Daemon(DaemonOptions options, std::atomic<bool>& reload);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// Probe until `stop` is set, reloading when the flag is set; then shutdown().
    void run(const std::atomic<bool>& stop);

    /// Stop the services in the reverse order of their start. Safe to call twice.
    void shutdown();

  private:
    /// The config file with the command line's overrides.
    Config load_config() const;
    /// The catalogs of zones_from: each one's first transfer, their members added to
    /// config_.zones.
    void start_catalog();
    /// A reload's `c` with its catalogs followed: sources of catalogs no longer listed stopped,
    /// those that stay reconfigured, new ones started with their first transfer in the
    /// background; then the current members of every catalog added. The monitor's thread; it
    /// waits for no transfer but one in flight of a catalog it stops.
    void sync_catalogs(Config& c);
    /// A source for catalog `s` of config `c`, not started.
    std::unique_ptr<CatalogSource> make_catalog_source(const Config& c,
                                                       const CatalogSettings& s) const;
    /// The members of every catalog of `c` (by the sources running) added to c.zones.
    void merge_catalog_members(Config& c);
    /// A NOTIFY for `zone` refreshes the catalog of that name; false when none is followed.
    bool notify_catalog(const std::string& zone);
    void start_history();
    void start_monitor();
    void start_side_services();  // resolution, propagation, diff
    void start_alerts();
    void start_http();
    /// What a reload changes in each service, run on the monitor's thread after it applied one.
    void wire_reload();

    DaemonOptions options_;
    std::atomic<bool>& reload_;
    Config config_;  ///< as started (its zones are dropped once the monitor has its copy)
    std::shared_ptr<const WebConfig> web_;
    std::shared_ptr<CatalogMetrics> catalog_metrics_;  ///< every catalog's series
    std::mutex catalogs_mu_;  ///< guards catalogs_ (the NOTIFY listener reads it)
    std::vector<std::unique_ptr<CatalogSource>> catalogs_;  ///< one per catalog followed
    /// Zones two catalogs list, each pair logged once ("zone kept skipped").
    std::set<std::string> shared_logged_;
    std::unique_ptr<HistoryWriter> history_;
    std::shared_ptr<ProbeMetrics> metrics_;
    std::unique_ptr<Monitor> monitor_;
    std::unique_ptr<ResolverService> resolution_;
    std::unique_ptr<PropagationService> propagation_;
    std::unique_ptr<DiffService> diff_;
    std::unique_ptr<ReferenceService> reference_;  ///< zones with `reference:` (zone_drift)
    std::unique_ptr<Deliverer> deliverer_;
    std::unique_ptr<AlertEngine> alert_engine_;
    std::unique_ptr<HttpServer> http_;
};

}  // namespace nswatch
