// Rendering of `nswatch audit` reports: text (terminal), Markdown, JSON and one self-contained
// HTML file. Pure: values in, text out.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "audit/rules.hpp"

namespace nswatch {

/// The worst status over all reports (the process exit code).
PluginStatus audit_overall(const std::vector<AuditReport>& reports);

/// One zone's object of the JSON report.
nlohmann::json audit_zone_json(const AuditReport& r);
/// The whole JSON report: status, exit code, version, when, and every zone.
nlohmann::json audit_json(const std::vector<AuditReport>& reports);
/// What `audit --format json` prints: audit_json(reports).dump(2) and a newline, written a zone
/// at a time (cli/json_zones_writer.hpp).
void write_audit_json(std::ostream& out, const std::vector<AuditReport>& reports);
void render_audit_text(std::ostream& out, const std::vector<AuditReport>& reports, bool colour);
void render_audit_markdown(std::ostream& out, const std::vector<AuditReport>& reports);
/// A complete HTML document: inline CSS, no scripts, nothing fetched.
void render_audit_html(std::ostream& out, const std::vector<AuditReport>& reports);

}  // namespace nswatch
