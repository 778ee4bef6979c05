// `nswatch audit`: collect evidence (audit/), judge it (audit/rules/), render (render_audit).
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <mutex>

#include "audit/collect.hpp"
#include "cli/commands.hpp"
#include "cli/heap_pages.hpp"
#include "cli/one_shot_setup.hpp"
#include "cli/render_audit.hpp"
#include "config/config.hpp"
#include "monitor/zone_view.hpp"

namespace nswatch {

namespace {

/// "[#########.........]  45%  1234/2742" on one line of stderr, redrawn in place.
void draw_progress(size_t done, size_t total) {
    constexpr int kWidth = 30;
    const int filled = total == 0 ? kWidth : static_cast<int>(kWidth * done / total);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kWidth - filled), '.');
    std::cerr << "\r[" << bar << "] " << (total ? 100 * done / total : 100) << "%  " << done << "/"
              << total << " steps" << std::flush;
}

void render(std::ostream& out, const std::string& format, const std::vector<AuditReport>& reports,
            bool colour) {
    if (format == "json")
        write_audit_json(out, reports);
    else if (format == "markdown")
        render_audit_markdown(out, reports);
    else if (format == "html")
        render_audit_html(out, reports);
    else
        render_audit_text(out, reports, colour);
}

}  // namespace

int run_audit(const AuditArgs& args) {
    // One round over every zone, then exit: the heap in huge pages (cli/heap_pages.hpp), before
    // the config's zones are read into it.
    reserve_huge_page_heap(kOneShotHeap);
    Config config;
    std::vector<std::string> zones;
    std::vector<RootServer> hints;
    try {
        config = one_shot_config({args.config_path, args.root_hints, args.timeout, args.no_ipv6});
        zones = one_shot_zones(args.zones, config, "audit");
        hints = hints_for(config);
    } catch (const std::exception& e) {
        std::cerr << "nswatch audit: " << e.what() << "\n";
        if (args.format == "json")
            std::cout << nlohmann::json{{"status", "UNKNOWN"},
                                        {"exit_code", 3},
                                        {"error", e.what()}}
                             .dump(2)
                      << "\n";
        else
            std::cout << "UNKNOWN: " << e.what() << "\n";
        return static_cast<int>(PluginStatus::unknown);
    }
    const bool progress =
        args.progress == "always" || (args.progress == "auto" && isatty(STDERR_FILENO));
    CollectOptions options;
    options.axfr = !args.no_axfr;
    if (progress) {
        // Redraw at most once per percent: thousands of zones make millions of steps.
        auto last = std::make_shared<size_t>(~size_t{0});
        options.progress = [last](size_t done, size_t total) {
            const size_t pct = total ? 100 * done / total : 100;
            if (pct == *last && done != total) return;
            *last = pct;
            draw_progress(done, total);
        };
    }
    ProbeEngine engine(config.vantages);
    const auto evidence = collect_evidence(engine, config, zones, hints, options);
    if (progress) std::cerr << "\n";
    const auto now = std::chrono::system_clock::now();
    std::vector<AuditReport> reports;
    for (const auto& e : evidence) reports.push_back(audit_zone(e, config.audit, now));

    const bool colour = args.out.empty() && (args.colour == "always" ||
                                             (args.colour == "auto" && isatty(STDOUT_FILENO)));
    if (args.out.empty()) {
        render(std::cout, args.format, reports, colour);
    } else {
        std::ofstream file(args.out);
        if (!file) {
            std::cerr << "nswatch audit: cannot write '" << args.out << "'\n";
            return static_cast<int>(PluginStatus::unknown);
        }
        render(file, args.format, reports, false);
        std::cout << "report written to " << args.out << "\n";
    }
    return static_cast<int>(audit_overall(reports));
}

}  // namespace nswatch
