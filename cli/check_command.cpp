#include <unistd.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/plugin_output.hpp"
#include "cli/preflight.hpp"
#include "cli/render_check.hpp"
#include "config/config.hpp"
#include "monitor/zone_view.hpp"

namespace nswatch {

namespace {

Config config_for(const CheckArgs& args) {
    Config config = args.config_path.empty() ? Config{} : load_config_file(args.config_path);
    if (!args.root_hints.empty()) config.root_hints = args.root_hints;
    if (!args.timeout.empty()) {
        try {
            config.probe.timeout = parse_duration(args.timeout);
        } catch (const std::exception& e) {
            throw std::runtime_error("--timeout '" + args.timeout + "': " + e.what());
        }
    }
    if (args.no_ipv6) config.probe.ipv6 = false;
    if (!args.warning.empty()) {
        try {
            config.thresholds.rtt_warning = parse_duration(args.warning);
        } catch (const std::exception& e) {
            throw std::runtime_error("--warning '" + args.warning + "': " + e.what());
        }
        for (auto& z : config.zones) z.thresholds.rtt_warning.reset();  // -w wins everywhere
    }
    // A source address or interface this machine lacks would otherwise read as every server
    // failing (network_error): say so before probing.
    if (const auto problems = preflight(config, false); !problems.empty()) {
        std::string text = problems.front();
        for (size_t i = 1; i < problems.size(); ++i) text += "; " + problems[i];
        throw std::runtime_error(args.config_path + ": " + text);
    }
    return config;
}

std::vector<std::string> zones_for(const CheckArgs& args, const Config& config) {
    std::vector<std::string> zones;
    for (const auto& z : args.zones) {
        std::string why;
        auto name = normalize_domain_name(z, &why);
        if (!name) throw std::runtime_error("zone '" + z + "': " + why);
        zones.push_back(*name);
    }
    if (zones.empty()) {
        for (const auto& z : config.zones) zones.push_back(z.name);
    }
    if (zones.empty())
        throw std::runtime_error("no zone to check: name one, or give -c CONFIG with zones");
    return zones;
}

}  // namespace

int run_check(const CheckArgs& args) {
    Config config;
    std::vector<std::string> zones;
    std::vector<RootServer> hints;
    try {
        config = config_for(args);
        zones = zones_for(args, config);
        hints = hints_for(config);
    } catch (const std::exception& e) {
        std::cerr << "nswatch check: " << e.what() << "\n";
        if (args.json) {
            std::cout << nlohmann::json{{"status", "UNKNOWN"},
                                        {"exit_code", 3},
                                        {"error", e.what()}}
                             .dump(2)
                      << "\n";
        } else {
            std::cout << "UNKNOWN: " << e.what() << "\n";
        }
        return static_cast<int>(PluginStatus::unknown);
    }
    ProbeEngine engine(config.vantages);
    RoundOptions round;
    round.udp = !args.tcp_only;
    round.tcp = !args.udp_only;
    auto views = observe_zones(engine, config, zones, hints, round);
    std::optional<std::chrono::milliseconds> critical;
    if (!args.critical.empty()) {
        try {
            critical = parse_duration(args.critical);
        } catch (const std::exception& e) {
            std::cerr << "nswatch check: --critical '" << args.critical << "': " << e.what()
                      << "\n";
            return static_cast<int>(PluginStatus::unknown);
        }
        apply_rtt_critical(views, *critical);
    }

    PluginStatus overall = PluginStatus::ok;
    for (const auto& v : views) overall = worst(overall, v.verdict.status);
    if (args.json) {
        std::cout << check_json(views, overall).dump(2) << "\n";
    } else {
        RenderOptions ro;
        ro.colour = args.colour == "always" || (args.colour == "auto" && isatty(STDOUT_FILENO));
        // First line for monitoring-plugins hosts (status, summary, performance data); then the
        // report a person reads.
        std::cout << plugin_line(views, overall, config.thresholds.rtt_warning, critical) << "\n";
        render_check_text(std::cout, views, ro);
    }
    return static_cast<int>(overall);
}

}  // namespace nswatch
