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

nlohmann::json audit_json(const std::vector<AuditReport>& reports);
void render_audit_text(std::ostream& out, const std::vector<AuditReport>& reports, bool colour);
void render_audit_markdown(std::ostream& out, const std::vector<AuditReport>& reports);
/// A complete HTML document: inline CSS, no scripts, nothing fetched.
void render_audit_html(std::ostream& out, const std::vector<AuditReport>& reports);

}  // namespace nswatch
