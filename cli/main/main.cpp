// nswatch: DNS resolution health monitor and failover prober.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/alerts_command.hpp"
#include "cli/commands.hpp"
#include "cli/config_command.hpp"
#include "cli/log_format.hpp"
#include "config/shard.hpp"
#include "daemon/descriptor_limit.hpp"
#include "nswatch_version.hpp"
#include "prober/wire_timestamps.hpp"

namespace {

// Checks --shard against the command it came with and hands it to the config loader; returns
// what is wrong, or "".
std::string apply_shard_option(const std::string& text, bool has_config, bool zones_named) {
    std::string why;
    const auto shard = nswatch::parse_shard(text, &why);
    if (!shard) return why;
    if (!has_config) return "selects zones of a config: give the config with -c";
    // Zones named on the command line are all checked; a shard of them would silently drop some.
    if (zones_named) {
        return "selects zones of the config; it cannot be combined with zones named on the "
               "command line";
    }
    nswatch::set_command_line_shard(*shard);
    return "";
}

}  // namespace

int main(int argc, char** argv) {
    // At once: the kernel switches receive timestamping on a moment after the first socket asks,
    // and the first probe replies must already be stamped (prober/wire_timestamps.hpp).
    nswatch::keep_receive_timestamping_on();
    CLI::App app{
        "nswatch watches DNS delegations served by several providers: it probes every address of\n"
        "every nameserver over UDP and TCP, compares SOA serials (RFC 1982) across providers, and\n"
        "says which provider lags or times out.\n\n"
        "Start with:  nswatch demo            (a real lab on loopback; needs root)\n"
        "             nswatch check example.com"};
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log what happens (debug level) to stderr");
    app.set_version_flag("--version", std::string("nswatch ") + nswatch::kVersion);

    // --shard on every command that reads zones from a config; the loader applies it.
    std::string shard_text;
    const std::string shard_help =
        "Keep only shard I of N of the config's zones, I/N with 0 <= I < N: the zones whose\n"
        "MD5 hash modulo N is I, as Prometheus hashmod on the zone name (CONFIGURATION.md,\n"
        "\"shard\"). Overrides the config's `shard`";
    nswatch::CheckArgs check;
    auto* c = app.add_subcommand(
        "check",
        "One-shot check: discover the delegation from the root, probe SOA on every nameserver\n"
        "address over UDP and TCP, compare serials, print a table grouped by provider.\n"
        "Exit codes (monitoring-plugins): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
        "  CRITICAL: the delegation is missing (the parent answers NXDOMAIN/NODATA, no NS name\n"
        "            has an address, every server is lame), the zone answers nowhere, a whole\n"
        "            provider answers nothing, a server is ahead of the configured primary, or\n"
        "            serials cannot be ordered.\n"
        "  WARNING:  a probe failed, a server serves an older serial, parent and zone NS sets\n"
        "            differ, a single provider, an NS name without address, a slow answer.\n"
        "  UNKNOWN:  the parent could not be asked (timeouts, SERVFAIL), or bad arguments/config.");
    c->add_option("zones", check.zones, "Zones to check (default: the config's zones)");
    c->add_option("-c,--config", check.config_path, "YAML config (see CONFIGURATION.md)");
    c->add_option("--shard", shard_text, shard_help);
    c->add_option("--root-hints", check.root_hints,
                  "Root hints file in named.root format (default: built-in IANA hints)");
    c->add_option("--timeout", check.timeout, "Per-probe timeout, e.g. 500ms, 2s (default 2s)");
    c->add_flag("--json", check.json, "Print JSON for scripts instead of the table");
    c->add_flag("--udp-only", check.udp_only, "Probe over UDP only");
    c->add_flag("--tcp-only", check.tcp_only, "Probe over TCP only");
    c->add_flag("--no-ipv6", check.no_ipv6, "Skip IPv6 nameserver addresses");
    c->add_option("-w,--warning", check.warning,
                  "An answer slower than this is a WARNING, e.g. 200ms (overrides rtt_warning)");
    c->add_option("-C,--critical", check.critical,
                  "An answer slower than this is CRITICAL, e.g. 1s (default: none)");
    c->add_option("--colour,--color", check.colour,
                  "auto|always|never (default auto: on a terminal)")
        ->check(CLI::IsMember({"auto", "always", "never"}));

    nswatch::AuditArgs audit;
    auto* au = app.add_subcommand(
        "audit",
        "Pre-attack readiness audit (docs/AUDIT-CHECKS.md): delegation and provider diversity, "
        "every\n"
        "server over UDP and TCP, EDNS, open recursion and AXFR, consistency of serials, SOA, NS\n"
        "and watched answers across providers, SOA timers, TTLs, DNSSEC key sets; then, for each\n"
        "provider, whether the zone survives losing it. Every finding names its evidence, a\n"
        "reference and the fix. Exit codes: 0 OK, 1 WARNING, 2 CRITICAL (an ERROR/CRITICAL\n"
        "finding or a provider whose loss is fatal), 3 UNKNOWN.\n"
        "  nswatch audit example.com\n"
        "  nswatch audit -c zones.yml --format html --out audit.html");
    au->add_option("zones", audit.zones, "Zones to audit (default: the config's zones)");
    au->add_option("-c,--config", audit.config_path,
                   "YAML config: zones, static nameservers, providers, audit thresholds");
    au->add_option("--shard", shard_text, shard_help);
    au->add_option("--root-hints", audit.root_hints, "Root hints file (default: built-in IANA)");
    au->add_option("--timeout", audit.timeout, "Per-probe timeout, e.g. 500ms, 2s (default 2s)");
    au->add_option("--format", audit.format, "text|markdown|json|html (default text)")
        ->check(CLI::IsMember({"text", "markdown", "json", "html"}));
    au->add_option("--out", audit.out, "Write the report to FILE instead of stdout");
    au->add_flag("--no-ipv6", audit.no_ipv6, "Skip IPv6 nameserver addresses");
    au->add_flag("--no-axfr", audit.no_axfr, "Do not try zone transfers (skips CONS-ZONE)");
    au->add_option("--progress", audit.progress,
                   "auto|always|never: progress bar on stderr (auto: on a terminal)")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    au->add_option("--colour,--color", audit.colour, "auto|always|never")
        ->check(CLI::IsMember({"auto", "always", "never"}));

    nswatch::DemoArgs demo;
    auto* d = app.add_subcommand(
        "demo",
        "Start the bundled lab (BIND 9 primary, NSD and Knot secondaries with NOTIFY/IXFR, a\n"
        "private root and TLD, all on loopback addresses), run `check` against it, then the "
        "daemon\n"
        "for a while (a change on the primary half-way) and `status` from its history. Needs "
        "root.");
    d->add_option("--lab-dir", demo.lab_dir, "Where the lab keeps configs, logs and pids");
    d->add_flag("--keep", demo.keep_running, "Leave the lab running afterwards");
    d->add_flag("--json", demo.json, "Print check's JSON (and skip the daemon part)");
    d->add_option("--daemon-seconds", demo.daemon_seconds,
                  "Then run the daemon this long, change the zone half-way, and show `status` "
                  "(default 20; 0 skips)");

    nswatch::RunArgs run;
    auto* r = app.add_subcommand(
        "run",
        "The daemon: probe every zone of the config each interval (SOA to every address over UDP,\n"
        "over TCP every k-th round), track serial lag and health, keep history in SQLite and "
        "serve\n"
        "/metrics, /api/v1/status, /healthz and a status page. SIGHUP reloads the config,\n"
        "SIGTERM/SIGINT stop after committing what was measured.");
    r->add_option("-c,--config", run.config_path, "YAML config with zones (see CONFIGURATION.md)")
        ->required();
    r->add_option("--shard", shard_text, shard_help);
    r->add_option("--listen", run.listen, "HTTP listen address (overrides http.listen)");
    r->add_option("--db", run.db, "SQLite history file (overrides storage.path)");
    r->add_option("--root-hints", run.root_hints, "Root hints file (overrides root_hints)");
    r->add_option("--web-config,--web.config.file", run.web_config,
                  "TLS and basic auth for the web port: a web config file in the Prometheus\n"
                  "exporter-toolkit format (tls_server_config, basic_auth_users)");

    nswatch::StatusArgs status;
    std::string status_colour = "auto";
    auto* st = app.add_subcommand(
        "status",
        "Status report grouped zone -> provider -> nameserver/address: serial and lag,\n"
        "availability and p50/p95 latency over --since, current problems first.\n"
        "With `resolvers:` configured, --db also shows per zone whether users can resolve it\n"
        "through those resolvers and how much slower the uncached path is than its baseline.\n"
        "  nswatch status --db history.db --since 24h\n"
        "  nswatch status -c nswatch.yml        (history and primaries from the config)\n"
        "  nswatch status --from http://fra1:10053 --from http://nyc1:10053   (cross-vantage)");
    st->add_option("--db", status.db, "SQLite history written by `nswatch run`");
    st->add_option("-c,--config", status.config_path,
                   "The daemon's config: its storage.path (unless --db is given) and each zone's "
                   "primary, so serials are judged against the primary as the daemon does");
    st->add_option("--shard", shard_text, shard_help + " (with -c)");
    st->add_option("--from", status.from,
                   "A running instance's base URL (repeat for several vantages)");
    st->add_option("--since", status.since, "History window, e.g. 15m, 1h, 7d (default 1h)");
    st->add_flag("--json", status.json, "Print JSON for scripts");
    st->add_option("--colour,--color", status_colour, "auto|always|never")
        ->check(CLI::IsMember({"auto", "always", "never"}));

    nswatch::DiffArgs diff;
    auto* df = app.add_subcommand(
        "diff",
        "Transfer ZONE (AXFR) from every provider that allows it (providers[].transfer in the\n"
        "config) and print the RRsets that differ from the first provider's copy (SOA aside).\n"
        "Exit 0 identical, 1 different, 3 error.\n"
        "  nswatch diff shop.test -c nswatch.yml\n"
        "  nswatch diff shop.test -c nswatch.yml --provider alpha --provider beta --json");
    df->add_option("zone", diff.zone, "The zone to compare")->required();
    df->add_option("-c,--config", diff.config_path, "YAML config with providers[].transfer")
        ->required();
    df->add_option("--provider", diff.providers,
                   "Compare only these providers (repeat; the first is the reference)");
    df->add_flag("--json", diff.json, "Print JSON for scripts");
    std::string config_check_path;
    bool config_check_json = false;
    auto* cfg = app.add_subcommand("config", "Work with the configuration file");
    cfg->require_subcommand(1);
    auto* cfg_check = cfg->add_subcommand(
        "check",
        "Load the config as `nswatch run` would and check that it can run on this machine\n"
        "(source addresses and interfaces exist, the HTTP port is free, the history directory\n"
        "is writable). Starts nothing, creates nothing. Exit 0 OK, 3 with the problems.\n"
        "  nswatch config check -c /etc/nswatch/nswatch.yml");
    cfg_check->add_option("-c,--config", config_check_path, "YAML config")->required();
    cfg_check->add_option("--shard", shard_text, shard_help);
    cfg_check->add_flag("--json", config_check_json, "Print JSON for scripts");
    nswatch::AlertsCliArgs alerts_args;
    auto run_alerts_command = nswatch::add_alerts_commands(app, alerts_args);
    std::string log_format = "text";
    app.add_option("--log-format", log_format,
                   "Log lines as text, json or logfmt (one event per line on stderr, UTC)")
        ->check(CLI::IsMember({"text", "json", "logfmt"}));
    // Global options are accepted after the subcommand too: `nswatch run --log-format json`.
    std::function<void(CLI::App*)> fall_through = [&](CLI::App* a) {
        for (CLI::App* sub : a->get_subcommands([](CLI::App*) { return true; })) {
            sub->fallthrough();
            fall_through(sub);
        }
    };
    fall_through(&app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        // Usage errors are UNKNOWN in monitoring-plugins terms; --help and --version exit 0.
        return rc == 0 ? 0 : 3;
    }
    if (!shard_text.empty()) {
        const bool has_config = r->parsed() || cfg_check->parsed() ||
                                (c->parsed() && !check.config_path.empty()) ||
                                (au->parsed() && !audit.config_path.empty()) ||
                                (st->parsed() && !status.config_path.empty());
        const bool zones_named =
            (c->parsed() && !check.zones.empty()) || (au->parsed() && !audit.zones.empty());
        if (const std::string problem = apply_shard_option(shard_text, has_config, zones_named);
            !problem.empty()) {
            std::cerr << "nswatch: --shard " << shard_text << ": " << problem << "\n";
            return 3;
        }
    }
    // Logs go to stderr: stdout carries the report (or JSON) that scripts read. The daemon says
    // what it does at info level; one-shot commands stay quiet unless asked.
    nswatch::configure_logging(*nswatch::log_format_from_string(log_format),
                               verbose       ? spdlog::level::debug
                               : r->parsed() ? spdlog::level::info
                                             : spdlog::level::warn);
    nswatch::raise_descriptor_limit();
    try {
        if (c->parsed()) return nswatch::run_check(check);
        if (d->parsed()) return nswatch::run_demo(demo);
        if (au->parsed()) return nswatch::run_audit(audit);
        if (r->parsed()) return nswatch::run_daemon(run);
        if (df->parsed()) return nswatch::run_diff(diff);
        if (cfg_check->parsed()) {
            return nswatch::run_config_check(config_check_path, config_check_json);
        }
        if (const int rc = run_alerts_command(); rc >= 0) return rc;
        if (st->parsed()) {
            status.colour = status_colour == "always" || (status_colour == "auto" && isatty(1));
            return nswatch::run_status(status);
        }
    } catch (const std::exception& e) {
        std::cerr << "nswatch: " << e.what() << "\n";
        return 3;
    }
    return 3;
}
