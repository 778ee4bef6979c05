#include "cli/render_audit.hpp"

#include <ctime>

#include "cli/json_zones_writer.hpp"
#include "exporter/status_page.hpp"
#include "monitor/utc_time.hpp"
#include "nswatch_version.hpp"

namespace nswatch {

namespace {

const char* colour_of(AuditSeverity s) {
    switch (s) {
        case AuditSeverity::critical:
        case AuditSeverity::error:
            return "\033[31m";
        case AuditSeverity::warning:
            return "\033[33m";
        default:
            return "\033[36m";
    }
}

std::string survival_line(const ProviderSurvival& p) {
    std::string out =
        "loss of " + p.provider + ": " + (p.survives ? "survives" : "does not survive");
    for (size_t i = 0; i < p.reasons.size(); ++i) out += (i == 0 ? " — " : "; ") + p.reasons[i];
    return out;
}

std::string counts(const AuditReport& r) {
    int c[5] = {0, 0, 0, 0, 0};
    for (const auto& f : r.findings) ++c[static_cast<int>(f.severity)];
    std::string out;
    const char* names[] = {"critical", "error", "warning", "notice", "info"};
    for (int i = 0; i < 5; ++i) {
        if (c[i] == 0) continue;
        if (!out.empty()) out += ", ";
        out += std::to_string(c[i]) + " " + names[i];
    }
    return out.empty() ? "no findings" : out;
}

/// When the report was made, UTC ("2026-12-05T23:55:00Z"): a report is evidence at a moment.
std::string generated_at() {
    return utc_string(std::chrono::system_clock::now(), "%Y-%m-%dT%H:%M:%SZ");
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
    return out;
}

std::string summary_line(const std::vector<AuditReport>& reports) {
    int ok = 0;
    for (const auto& r : reports) ok += r.status == PluginStatus::ok;
    return std::string(to_string(audit_overall(reports))) + ": " + std::to_string(reports.size()) +
           " zone(s) audited, " + std::to_string(ok) + " without warnings";
}

}  // namespace

PluginStatus audit_overall(const std::vector<AuditReport>& reports) {
    PluginStatus s = PluginStatus::ok;
    for (const auto& r : reports) s = worst(s, r.status);
    return s;
}

nlohmann::json audit_zone_json(const AuditReport& r) {
    nlohmann::json z{{"zone", r.zone},
                     {"status", to_string(r.status)},
                     {"exit_code", static_cast<int>(r.status)},
                     {"score", r.score},
                     {"servers", r.servers},
                     {"findings", nlohmann::json::array()},
                     {"skipped", nlohmann::json::array()},
                     {"failover", nlohmann::json::array()}};
    if (!r.error.empty()) z["error"] = r.error;
    for (const auto& f : r.findings)
        z["findings"].push_back({{"id", f.id},
                                 {"severity", to_string(f.severity)},
                                 {"summary", f.summary},
                                 {"evidence", f.evidence},
                                 {"reference", f.reference},
                                 {"advice", f.advice}});
    for (const auto& s : r.skipped) z["skipped"].push_back({{"id", s.id}, {"reason", s.reason}});
    for (const auto& p : r.failover)
        z["failover"].push_back(
            {{"provider", p.provider}, {"survives", p.survives}, {"reasons", p.reasons}});
    z["without_findings"] = r.without_findings;
    return z;
}

namespace {

/// The document's keys but "zones".
nlohmann::json audit_head(const std::vector<AuditReport>& reports) {
    const auto overall = audit_overall(reports);
    return {{"status", to_string(overall)},
            {"exit_code", static_cast<int>(overall)},
            {"nswatch_version", kVersion},
            {"generated", generated_at()}};
}

}  // namespace

nlohmann::json audit_json(const std::vector<AuditReport>& reports) {
    nlohmann::json zones = nlohmann::json::array();
    for (const auto& r : reports) zones.push_back(audit_zone_json(r));
    nlohmann::json doc = audit_head(reports);
    doc["zones"] = std::move(zones);
    return doc;
}

void write_audit_json(std::ostream& out, const std::vector<AuditReport>& reports) {
    nlohmann::json zone;
    write_zones_document(out, audit_head(reports), reports.size(),
                         [&](size_t i) -> const nlohmann::json& {
                             zone = audit_zone_json(reports[i]);
                             return zone;
                         });
}

void render_audit_text(std::ostream& out, const std::vector<AuditReport>& reports, bool colour) {
    const char* reset = colour ? "\033[0m" : "";
    for (const auto& r : reports) {
        out << r.zone << ": " << to_string(r.status) << ", score " << r.score << "/100, "
            << counts(r) << " (" << r.servers << " addresses)\n";
        if (!r.error.empty()) out << "  cannot audit: " << r.error << "\n";
        for (const auto& f : r.findings) {
            out << "  " << (colour ? colour_of(f.severity) : "") << "[" << to_string(f.severity)
                << "] " << f.id << reset << ": " << f.summary << "\n";
            for (const auto& e : f.evidence) out << "      " << e << "\n";
            out << "      ref: " << f.reference << "\n      fix: " << f.advice << "\n";
        }
        for (const auto& s : r.skipped) out << "  [SKIPPED] " << s.id << ": " << s.reason << "\n";
        if (!r.without_findings.empty()) {
            out << "  [no finding] " << joined(r.without_findings) << "\n";
        }
        for (const auto& p : r.failover) out << "  " << survival_line(p) << "\n";
        out << "\n";
    }
    out << summary_line(reports) << "\n"
        << "nswatch " << kVersion << ", " << generated_at() << "\n";
}

void render_audit_markdown(std::ostream& out, const std::vector<AuditReport>& reports) {
    out << "# nswatch readiness audit\n\n**" << summary_line(reports) << "**\n\n"
        << "nswatch " << kVersion << ", " << generated_at() << "\n\n";
    out << "| zone | status | score | findings |\n|---|---|---|---|\n";
    for (const auto& r : reports)
        out << "| " << r.zone << " | " << to_string(r.status) << " | " << r.score << " | "
            << counts(r) << " |\n";
    for (const auto& r : reports) {
        out << "\n## " << r.zone << "\n\n";
        if (!r.error.empty()) out << "Cannot audit: " << r.error << "\n\n";
        out << "### Failover\n\n";
        for (const auto& p : r.failover) out << "- " << survival_line(p) << "\n";
        for (const auto& f : r.findings) {
            out << "\n### " << to_string(f.severity) << " " << f.id << "\n\n"
                << f.summary << "\n\n";
            for (const auto& e : f.evidence) out << "- `" << e << "`\n";
            out << "\nReference: " << f.reference << "  \nFix: " << f.advice << "\n";
        }
        for (const auto& s : r.skipped) out << "\n*Skipped " << s.id << ": " << s.reason << "*\n";
        if (!r.without_findings.empty()) {
            out << "\nNo finding: " << joined(r.without_findings) << "\n";
        }
    }
}

void render_audit_html(std::ostream& out, const std::vector<AuditReport>& reports) {
    auto h = [](const std::string& s) { return html_escape(s); };
    out << R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>nswatch readiness audit</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
.summary{font-size:1.3em;padding:.6em 1em;border-radius:6px;background:#eef}
.OK{color:#070}.WARNING{color:#a60}.CRITICAL{color:#b00}.UNKNOWN{color:#666}
.sev-CRITICAL,.sev-ERROR{border-left:5px solid #b00}.sev-WARNING{border-left:5px solid #d80}
.sev-NOTICE,.sev-INFO{border-left:5px solid #58a}
.finding{margin:.8em 0;padding:.3em 1em;background:#fafafa}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
code{font-size:.9em}.dead{color:#b00}.alive{color:#070}
</style></head><body>
<h1>nswatch readiness audit</h1>
)";
    const auto overall = audit_overall(reports);
    out << "<p class=\"summary\" id=\"summary\">Summary: <span class=\"" << to_string(overall)
        << "\">" << h(summary_line(reports)) << "</span></p>\n"
        << "<p id=\"version\">nswatch " << h(kVersion) << ", " << generated_at() << "</p>\n";
    out << "<table><tr><th>zone</th><th>status</th><th>score</th><th>findings</th></tr>\n";
    for (const auto& r : reports)
        out << "<tr><td><a href=\"#z-" << h(r.zone) << "\">" << h(r.zone) << "</a></td><td class=\""
            << to_string(r.status) << "\">" << to_string(r.status) << "</td><td>" << r.score
            << "</td><td>" << h(counts(r)) << "</td></tr>\n";
    out << "</table>\n";
    for (const auto& r : reports) {
        out << "<h2 id=\"z-" << h(r.zone) << "\">" << h(r.zone) << "</h2>\n";
        if (!r.error.empty()) out << "<p>Cannot audit: " << h(r.error) << "</p>\n";
        out << "<h3>Failover</h3><ul>\n";
        for (const auto& p : r.failover)
            out << "<li class=\"" << (p.survives ? "alive" : "dead") << "\">" << h(survival_line(p))
                << "</li>\n";
        out << "</ul>\n";
        for (const auto& f : r.findings) {
            const std::string sev(to_string(f.severity));
            out << "<div class=\"finding sev-" << sev << "\"><h4>" << sev << " " << h(f.id)
                << "</h4><p>" << h(f.summary) << "</p><ul>";
            for (const auto& e : f.evidence) out << "<li><code>" << h(e) << "</code></li>";
            out << "</ul><p>Reference: " << h(f.reference) << "<br>Fix: " << h(f.advice)
                << "</p></div>\n";
        }
        for (const auto& s : r.skipped)
            out << "<p><em>Skipped " << h(s.id) << ": " << h(s.reason) << "</em></p>\n";
        if (!r.without_findings.empty()) {
            out << "<p class=\"clean\">No finding: " << h(joined(r.without_findings)) << "</p>\n";
        }
    }
    out << "</body></html>\n";
}

}  // namespace nswatch
