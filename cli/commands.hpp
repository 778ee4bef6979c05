// The sub-commands. Each returns the process exit code (monitoring-plugins convention for the ones
// that judge: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace nswatch {

struct CheckArgs {
    std::vector<std::string> zones;  ///< zones named on the command line (else the config's)
    std::string config_path;         ///< -c FILE
    std::string root_hints;          ///< --root-hints FILE (overrides the config)
    std::string timeout;             ///< --timeout DURATION (overrides the config)
    bool json = false;               ///< --json
    bool udp_only = false;           ///< --udp-only
    bool tcp_only = false;           ///< --tcp-only
    bool no_ipv6 = false;            ///< --no-ipv6
    std::string colour = "auto";     ///< --colour auto|always|never
    std::string warning;             ///< -w/--warning DURATION: RTT above is a WARNING
    std::string critical;            ///< -C/--critical DURATION: RTT above is CRITICAL
};

int run_check(const CheckArgs& args);

struct DemoArgs {
    std::string lab_dir;        ///< where the lab keeps its files (default: a temporary dir)
    bool keep_running = false;  ///< leave the lab up after the demo
    bool json = false;          ///< print check's JSON instead of the table
    int daemon_seconds = 20;    ///< then run the daemon this long (0: skip)
};

int run_demo(const DemoArgs& args);

struct RunArgs {
    std::string config_path;  ///< -c FILE (required)
    std::string listen;       ///< --listen host:port (overrides http.listen)
    std::string db;           ///< --db FILE (overrides storage.path)
    std::string root_hints;   ///< --root-hints FILE (overrides root_hints)
    std::string web_config;   ///< --web-config FILE: TLS and basic auth (exporter-toolkit format)
};

/// The daemon: probe every zone of the config on its interval until SIGTERM/SIGINT.
int run_daemon(const RunArgs& args);

struct StatusArgs {
    std::string db;                 ///< --db FILE: report from history
    std::vector<std::string> from;  ///< --from URL (repeatable): merge running instances
    std::string since = "1h";       ///< --since DURATION (history window)
    std::string config_path;        ///< -c FILE: the daemon's config (history path, primaries)
    std::map<std::string, std::string> primaries;  ///< zone -> primary nameserver (from -c)
    bool json = false;                             ///< --json
    bool colour = false;                           ///< colour (on a terminal only)
};

/// The status report: 0 when nothing is lagging or down, 1 otherwise, 3 when it cannot tell.
int run_status(const StatusArgs& args);

struct AuditArgs {
    std::vector<std::string> zones;  ///< zones named on the command line (else the config's)
    std::string config_path;         ///< -c FILE
    std::string root_hints;          ///< --root-hints FILE
    std::string timeout;             ///< --timeout DURATION
    std::string format = "text";     ///< --format text|markdown|json|html
    std::string out;                 ///< --out FILE (default stdout)
    bool no_ipv6 = false;            ///< --no-ipv6
    bool no_axfr = false;            ///< --no-axfr
    std::string progress = "auto";   ///< --progress auto|always|never
    std::string colour = "auto";     ///< --colour auto|always|never
};

/// The pre-attack readiness audit (docs/AUDIT-CHECKS.md): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
int run_audit(const AuditArgs& args);

}  // namespace nswatch

namespace nswatch {

struct DiffArgs {
    std::string zone;                    ///< the zone to compare
    std::string config_path;             ///< -c FILE (providers with transfer settings)
    std::vector<std::string> providers;  ///< --provider NAME (repeatable; default: all)
    bool json = false;                   ///< --json
};

/// Transfer each provider's copy of a zone and print the differing RRsets: 0 identical,
/// 1 different, 3 error.
int run_diff(const DiffArgs& args);

}  // namespace nswatch
