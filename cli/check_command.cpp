#include <unistd.h>

#include <iostream>

#include "cli/check_round.hpp"
#include "cli/commands.hpp"
#include "cli/heap_pages.hpp"
#include "cli/one_shot_setup.hpp"
#include "cli/plugin_output.hpp"
#include "cli/render_check.hpp"
#include "config/config.hpp"
#include "monitor/zone_view.hpp"

namespace nswatch {

namespace {

Config config_for(const CheckArgs& args) {
    Config config =
        one_shot_config({args.config_path, args.root_hints, args.timeout, args.no_ipv6});
    if (!args.warning.empty()) {
        try {
            config.thresholds.rtt_warning = parse_duration(args.warning);
        } catch (const std::exception& e) {
            throw std::runtime_error("--warning '" + args.warning + "': " + e.what());
        }
        for (auto& z : config.zones) z.thresholds.rtt_warning.reset();  // -w wins everywhere
    }
    return config;
}

}  // namespace

int run_check(const CheckArgs& args) {
    // One round over every zone, then exit: the heap in huge pages (cli/heap_pages.hpp), before
    // the config's zones are read into it.
    reserve_huge_page_heap(kOneShotHeap);
    Config config;
    std::vector<std::string> zones;
    std::vector<RootServer> hints;
    try {
        config = config_for(args);
        zones = one_shot_zones(args.zones, config, "check");
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
    std::optional<std::chrono::milliseconds> critical;
    if (!args.critical.empty()) {
        try {
            critical = parse_duration(args.critical);
        } catch (const std::exception& e) {
            std::cerr << "nswatch check: --critical '" << args.critical << "': " << e.what()
                      << "\n";
            return static_cast<int>(PluginStatus::unknown);
        }
    }
    ProbeEngine engine(config.vantages);
    RoundOptions round;
    round.udp = !args.tcp_only;
    round.tcp = !args.udp_only;
    if (args.json) {
        // Each zone is written out (into the document's text) as soon as it is judged, and its
        // results freed: at thousands of zones, holding every zone's results until the end was
        // most of check's memory, and its first touches and frees a good part of its CPU.
        CheckJsonWriter writer;
        check_round_each(engine, config, zones, hints, round, [&](size_t, ZoneView& v) {
            if (critical) apply_rtt_critical(v, *critical);
            writer.add(v);
        });
        writer.write(std::cout);
        return static_cast<int>(writer.overall());
    }
    auto views = check_round(engine, config, zones, hints, round);
    if (critical) apply_rtt_critical(views, *critical);

    PluginStatus overall = PluginStatus::ok;
    for (const auto& v : views) overall = worst(overall, v.verdict.status);
    RenderOptions ro;
    ro.colour = args.colour == "always" || (args.colour == "auto" && isatty(STDOUT_FILENO));
    // First line for monitoring-plugins hosts (status, summary, performance data); then the
    // report a person reads.
    std::cout << plugin_line(views, overall, config.thresholds.rtt_warning, critical) << "\n";
    render_check_text(std::cout, views, ro);
    return static_cast<int>(overall);
}

}  // namespace nswatch
