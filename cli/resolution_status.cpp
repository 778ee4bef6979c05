#include "cli/resolution_status.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/table.hpp"
#include "resolver/resolution_history.hpp"

namespace nswatch {

namespace {

std::string ms(std::optional<double> seconds) {
    if (!seconds) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f ms", *seconds * 1000);
    return buf;
}

// "+380.0 ms (4.2x)" for the recent median against the baseline median.
std::string slower_text(const ResolutionSummary& s) {
    if (!s.recent_median || !s.baseline || *s.baseline <= 0) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%+.1f ms (%.1fx)", (*s.recent_median - *s.baseline) * 1000,
                  *s.recent_median / *s.baseline);
    return buf;
}

nlohmann::json opt(std::optional<double> v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
}

}  // namespace

std::vector<ZoneResolution> resolution_from_samples(const std::vector<ResolutionSample>& samples,
                                                    const ResolutionSettings& settings,
                                                    ResolutionTime now) {
    ResolutionTracker tracker(settings);
    // Cached samples in the recent window stand for "the newest round" in a history view.
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<ResolutionSample>>
        cached;
    for (const auto& s : samples) {
        if (s.path == ResolutionPath::uncached) {
            tracker.observe_uncached(s);
        } else if (s.at >= now - settings.recent_window) {
            cached[{s.zone, s.resolver, s.vantage}].push_back(s);
        }
    }
    for (auto& [key, list] : cached) {
        tracker.observe_cached_round(std::get<0>(key), std::get<1>(key), std::get<2>(key),
                                     std::move(list));
    }
    const auto states = tracker.states();
    const auto conditions = evaluate_resolution(states, settings, now);
    std::vector<ZoneResolution> out;
    for (const auto& st : states) {
        if (out.empty() || out.back().zone != st.zone)
            out.push_back(ZoneResolution{st.zone, "unknown", {}, {}, {}});
        ZoneResolution& z = out.back();
        z.states.push_back(st);
        z.summaries.push_back(summarize(st, settings, now));
    }
    for (auto& z : out) {
        bool any_ok = false, any_unverified = false, any_answer = false;
        for (const auto& s : z.summaries) {
            any_ok = any_ok || s.resolvable;
            any_unverified = any_unverified || s.unverified;
        }
        for (const auto& st : z.states) any_answer = any_answer || st.last_uncached.has_value();
        z.verdict = any_ok ? "yes" : any_unverified ? "unverified" : any_answer ? "no" : "unknown";
        for (const auto& c : conditions) {
            if (c.zone == z.zone) z.conditions.push_back(c);
        }
    }
    return out;
}

void print_resolution(std::ostream& out, const std::vector<ZoneResolution>& zones, bool colour) {
    if (zones.empty()) return;
    const char* red = colour ? "\033[31m" : "";
    for (const auto& z : zones) {
        out << z.zone << "  users can resolve it: " << z.verdict << "\n";
        TextTable table({"RESOLVER", "VANTAGE", "UNCACHED", "P95", "BASELINE", "SLOWER",
                         "CACHED OK", "PROBES"});
        for (size_t i = 0; i < z.states.size(); ++i) {
            const auto& st = z.states[i];
            const auto& s = z.summaries[i];
            const std::string last =
                st.last_uncached ? std::string(to_string(st.last_uncached->outcome)) : "-";
            const size_t cached_ok = st.cached.size() - s.cached_mismatches - s.cached_failures;
            table.add_row({{st.resolver},
                           {st.vantage},
                           {last, last == "ok" ? "" : red},
                           {ms(s.recent_p95)},
                           {ms(s.baseline)},
                           {slower_text(s)},
                           {std::to_string(cached_ok) + "/" + std::to_string(st.cached.size()),
                            cached_ok == st.cached.size() ? "" : red},
                           {std::to_string(st.uncached_probes + st.cached_probes)}});
        }
        table.print(out);
        for (const auto& c : z.conditions) {
            out << "  " << red << c.kind << (colour ? "\033[0m" : "") << " via " << c.resolver
                << " from " << c.vantage << ": " << c.reason << "\n";
        }
        out << "\n";
    }
}

nlohmann::json resolution_json(const std::vector<ZoneResolution>& zones) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& z : zones) {
        nlohmann::json resolvers = nlohmann::json::array();
        for (size_t i = 0; i < z.states.size(); ++i) {
            const auto& st = z.states[i];
            const auto& s = z.summaries[i];
            resolvers.push_back(
                {{"resolver", st.resolver},
                 {"vantage", st.vantage},
                 {"last_uncached_outcome",
                  st.last_uncached ? nlohmann::json(to_string(st.last_uncached->outcome))
                                   : nlohmann::json()},
                 {"uncached_p95_seconds", opt(s.recent_p95)},
                 {"uncached_median_seconds", opt(s.recent_median)},
                 {"uncached_baseline_seconds", opt(s.baseline)},
                 {"consecutive_failures", st.consecutive_failures},
                 {"cached_mismatches", s.cached_mismatches},
                 {"cached_failures", s.cached_failures}});
        }
        nlohmann::json conditions = nlohmann::json::array();
        for (const auto& c : z.conditions) {
            conditions.push_back({{"kind", c.kind},
                                  {"resolver", c.resolver},
                                  {"vantage", c.vantage},
                                  {"reason", c.reason}});
        }
        out.push_back({{"zone", z.zone},
                       {"users_can_resolve", z.verdict},
                       {"resolvers", resolvers},
                       {"conditions", conditions}});
    }
    return out;
}

std::vector<ZoneResolution> resolution_from_history(const std::string& db_path,
                                                    std::chrono::milliseconds since,
                                                    ResolutionTime now) {
    {
        Database probe(db_path, false);
        if (!ResolutionHistory::has_table(probe)) return {};
    }
    ResolutionHistory history(db_path, std::chrono::hours(24 * 3650), false);
    ResolutionSettings settings;
    // The history window is the whole view: the recent window at its end, the baseline before.
    settings.recent_window = std::min<std::chrono::milliseconds>(settings.recent_window, since);
    settings.baseline_window = since - settings.recent_window;
    return resolution_from_samples(history.load(now - since, now + std::chrono::seconds(1)),
                                   settings, now);
}

}  // namespace nswatch
