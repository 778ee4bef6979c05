#include "cli/plugin_output.hpp"

#include <algorithm>
#include <cstdio>

namespace nswatch {

namespace {

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", s);
    return buf;
}

std::string seconds_text(std::chrono::milliseconds d) {
    return seconds_text(d.count() / 1000.0);
}

}  // namespace

void apply_rtt_critical(ZoneView& v, std::chrono::milliseconds critical) {
    std::vector<Finding> slow;
    for (const ProbeResult& r : v.results) {
        if (r.outcome != Outcome::ok || r.rtt <= critical) continue;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.rtt).count();
        slow.push_back({PluginStatus::critical, r.target.nameserver + " " + r.target.address + " " +
                                                    std::string(to_string(r.target.transport)) +
                                                    " answered in " + std::to_string(ms) +
                                                    " ms (critical above " +
                                                    std::to_string(critical.count()) + " ms)"});
    }
    if (slow.empty()) return;
    auto& f = v.verdict.findings;
    f.insert(f.begin(), slow.begin(), slow.end());
    v.verdict.status = worst(v.verdict.status, PluginStatus::critical);
    // The summary names the worst finding: now the first slow answer.
    const auto cut = v.verdict.summary.find("; ");
    v.verdict.summary = v.verdict.summary.substr(0, cut) + "; " + f.front().text +
                        (f.size() > 1 ? " (+" + std::to_string(f.size() - 1) + " more)" : "");
}

void apply_rtt_critical(std::vector<ZoneView>& views, std::chrono::milliseconds critical) {
    for (ZoneView& v : views) apply_rtt_critical(v, critical);
}

std::string perfdata_item(const std::string& label, double value, const std::string& unit,
                          const std::string& warn, const std::string& crit) {
    std::string l = label;
    std::replace(l.begin(), l.end(), '\'', '"');  // a quote would end the label
    std::replace(l.begin(), l.end(), '=', '_');
    return "'" + l + "'=" + seconds_text(value) + unit + ";" + warn + ";" + crit + ";0";
}

std::string plugin_line(const std::vector<ZoneView>& views, PluginStatus overall,
                        std::chrono::milliseconds warning,
                        std::optional<std::chrono::milliseconds> critical) {
    std::string line = "NSWATCH " + std::string(to_string(overall)) + " - ";
    if (views.size() == 1) {
        line += views.front().verdict.summary;
    } else {
        size_t bad = 0;
        for (const auto& v : views) bad += v.verdict.status != PluginStatus::ok;
        line += std::to_string(views.size()) + " zones, " + std::to_string(bad) + " not OK";
        for (const auto& v : views) {
            if (v.verdict.status != PluginStatus::ok) {
                line += "; " + v.verdict.summary;
                break;
            }
        }
    }
    std::string perf;
    const std::string w = seconds_text(warning);
    const std::string c = critical ? seconds_text(*critical) : "";
    for (const auto& v : views) {
        for (const ProbeResult& r : v.results) {
            if (r.outcome != Outcome::ok) continue;
            perf += " " + perfdata_item(r.target.zone + " " + r.target.address + " " +
                                            std::string(to_string(r.target.transport)) + " rtt",
                                        std::chrono::duration<double>(r.rtt).count(), "s", w, c);
        }
        for (const auto& a : v.round.addresses) {
            if (!a.serial || a.target.transport != Transport::udp) continue;
            perf += " " + perfdata_item(a.target.zone + " " + a.target.address + " serial lag",
                                        static_cast<double>(a.behind_by), "", "", "");
        }
    }
    if (!perf.empty()) line += " |" + perf;
    return line;
}

}  // namespace nswatch
