#include "exporter/status_page.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "dns/rr_types.hpp"
#include "monitor/delegation_missing.hpp"
#include "monitor/dnssec_findings.hpp"
#include "monitor/utc_time.hpp"

namespace nswatch {

namespace {

constexpr std::string_view style = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.4em 0}
th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.bad td{background:#fde8e8}tr.warn td{background:#fff6dc}
.ok{color:#176f2c}.down{color:#b00020;font-weight:bold}.muted{color:#777}
.verdict{font-size:1.2em;font-weight:bold}.warn{color:#8a5a00}
)";

std::string format(const char* fmt, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

std::string format_time(WallTime t) {
    if (t == WallTime{}) return "never";
    return utc_string(t, "%Y-%m-%d %H:%M:%SZ");
}

/// 0: fine, 1: behind or not answering while up, 2: down (3 for a zone: delegation missing).
/// Problems sort first.
int severity(const TargetState& t) {
    if (!t.up) return 2;
    if (t.serial_state != SerialState::current || t.last.outcome != Outcome::ok) return 1;
    return 0;
}

int severity(const ZoneState& z) {
    // Worse than any down server: nothing in the zone resolves.
    if (delegation_missing(z).missing()) return 3;
    int worst = z.delegation.consistent && z.answers_consistent ? 0 : 1;
    for (const auto& t : z.targets) worst = std::max(worst, severity(t));
    return worst;
}

void td(std::string& out, std::string_view text, bool num = false) {
    out += num ? "<td class=\"num\">" : "<td>";
    out += html_escape(text);
    out += "</td>";
}

void render_zone(std::string& out, const ZoneState& z) {
    out += "<h2>" + html_escape(z.zone) + "</h2>\n<p>newest serial: ";
    out += z.newest_serial ? std::to_string(*z.newest_serial) : "none";
    out += " &middot; delegation: ";
    if (const DelegationMissing m = delegation_missing(z); m.missing()) {
        out += "<span class=\"down\">MISSING (" + html_escape(to_string(m.reason)) + ")</span> " +
               html_escape(m.detail);
    } else if (z.delegation.consistent) {
        out += "<span class=\"ok\">consistent</span>";
    } else {
        out += "<span class=\"down\">inconsistent</span>";
        for (const auto& n : z.delegation.only_in_parent)
            out += " only at parent: " + html_escape(n);
        for (const auto& n : z.delegation.only_in_child) out += " only in zone: " + html_escape(n);
    }
    if (!z.delegation.error.empty() && z.delegation.missing == MissingReason::none)
        out += " (discovery: " + html_escape(z.delegation.error) + ")";
    out += " &middot; answers: ";
    out += z.answers_consistent ? "<span class=\"ok\">identical across providers</span>"
                                : "<span class=\"down\">differ</span>";
    for (const auto& d : z.answer_differences) out += "<br>" + html_escape(d);
    for (const auto& d : dnssec_findings(z)) {
        out += "<br><span class=\"down\">" + d.rule + "</span> " + html_escape(d.text);
    }
    out += " &middot; updated " + format_time(z.updated) + "</p>\n";

    // Provider order: the worst provider first; within it, the worst target first. The tracker's
    // order (provider, nameserver, address, transport) breaks ties, so the table stays grouped.
    std::vector<const TargetState*> rows;
    for (const auto& t : z.targets) rows.push_back(&t);
    std::map<std::string, int> provider_severity;
    for (const auto* t : rows) {
        int& worst = provider_severity[t->target.provider];
        worst = std::max(worst, severity(*t));
    }
    std::stable_sort(rows.begin(), rows.end(), [&](const TargetState* a, const TargetState* b) {
        const int pa = provider_severity[a->target.provider];
        const int pb = provider_severity[b->target.provider];
        if (pa != pb) return pa > pb;
        if (a->target.provider != b->target.provider)
            return a->target.provider < b->target.provider;
        return severity(*a) > severity(*b);
    });

    out +=
        "<table>\n<tr><th>provider</th><th>nameserver</th><th>address</th><th>transport</th>"
        "<th>vantage</th><th>serial</th><th>state</th><th>lag</th><th>health</th>"
        "<th>last probe</th><th>RTT</th><th>NSID</th></tr>\n";
    for (const TargetState* t : rows) {
        const int sev = severity(*t);
        out += sev == 2 ? "<tr class=\"bad\">" : sev == 1 ? "<tr class=\"warn\">" : "<tr>";
        td(out, t->target.provider);
        td(out, t->target.nameserver);
        td(out, t->target.address);
        td(out, to_string(t->target.transport));
        td(out, t->target.vantage);
        td(out, t->serial ? std::to_string(*t->serial) : "-", true);
        td(out, state_text(address_view(*t)));
        td(out, t->lag_seconds > 0 ? format("%.0f s", t->lag_seconds) : "-", true);
        out += !t->known ? "<td class=\"muted\">unknown</td>"
               : t->up   ? "<td class=\"ok\">up</td>"
                         : "<td class=\"down\">down</td>";
        td(out, to_string(t->last.outcome));
        td(out, t->last.answered() ? format("%.1f ms", t->last.rtt_seconds() * 1e3) : "-", true);
        td(out, t->last.nsid());
        out += "</tr>\n";
    }
    out += "</table>\n";
}

void render_failures(std::string& out, const std::vector<ProbeResult>& failures) {
    out += "<h2>Recent failed probes</h2>\n";
    if (failures.empty()) {
        out += "<p class=\"muted\">none</p>\n";
        return;
    }
    out +=
        "<table>\n<tr><th>sent</th><th>zone</th><th>nameserver</th><th>address</th>"
        "<th>transport</th><th>vantage</th><th>query</th><th>outcome</th><th>rcode</th>"
        "<th>RTT</th><th>NSID</th><th>detail</th></tr>\n";
    for (const ProbeResult& r : failures) {
        out += "<tr>";
        td(out, format_time(r.sent_wall));
        td(out, r.target.zone);
        td(out, r.target.nameserver);
        td(out, r.target.address);
        td(out, to_string(r.target.transport));
        td(out, r.target.vantage);
        td(out, r.query.name + " " + rr_type_name(r.query.type));
        td(out, to_string(r.outcome));
        td(out, r.rcode >= 0 ? rcode_name(r.rcode) : "-");
        td(out, format("%.1f ms", r.rtt_seconds() * 1e3), true);
        td(out, r.nsid);
        td(out, r.detail);
        out += "</tr>\n";
    }
    out += "</table>\n";
}

}  // namespace

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

PluginStatus zone_plugin_status(const ZoneState& z) {
    if (delegation_missing(z).missing()) return PluginStatus::critical;
    std::vector<AddressView> views;
    for (const auto& t : z.targets) views.push_back(address_view(t));
    return zone_status(views);
}

std::string render_status_page(const Snapshot* s) {
    // Refreshes itself (no script: the page stays script-free for a strict CSP).
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"refresh\" content=\"30\">"
        "<title>nswatch status</title><style>";
    out += style;
    out += "</style></head>\n<body>\n<h1>nswatch status</h1>\n";
    if (s == nullptr) {
        out += "<p class=\"muted\">No probe round has finished yet.</p>\n</body></html>\n";
        return out;
    }
    out += "<p>vantage " + html_escape(s->vantage) + " &middot; as of " + format_time(s->taken) +
           " &middot; <a href=\"/metrics\">metrics</a> &middot; "
           "<a href=\"/api/v1/status\">JSON</a></p>\n";

    // The overall verdict first, in `nswatch check`'s terms, then what needs a look.
    PluginStatus overall = PluginStatus::ok;
    size_t troubled = 0;
    for (const auto& z : s->zones) {
        const PluginStatus st = zone_plugin_status(z);
        overall = worst(overall, st);
        troubled += st != PluginStatus::ok;
    }
    const char* cls = overall == PluginStatus::ok        ? "ok"
                      : overall == PluginStatus::warning ? "warn"
                                                         : "down";
    out += "<p class=\"verdict " + std::string(cls) + "\">" + std::string(to_string(overall)) +
           ": " +
           (troubled == 0 ? "all " + std::to_string(s->zones.size()) + " zones fine"
                          : std::to_string(troubled) + " of " + std::to_string(s->zones.size()) +
                                " zones need a look") +
           "</p>\n" + std::string(kTopSectionsMarker) + "\n";

    std::vector<const ZoneState*> zones;
    for (const auto& z : s->zones) zones.push_back(&z);
    std::stable_sort(zones.begin(), zones.end(), [](const ZoneState* a, const ZoneState* b) {
        return severity(*a) > severity(*b);
    });
    for (const ZoneState* z : zones) render_zone(out, *z);
    render_failures(out, s->recent_failures);
    out += "</body></html>\n";
    return out;
}

std::string render_sections(const std::vector<std::pair<std::string, nlohmann::json>>& sections) {
    std::string out;
    for (const auto& [title, rows] : sections) {
        out += "<h2>" + html_escape(title) + "</h2>\n";
        if (!rows.is_array() || rows.empty()) {
            out += "<p class=\"muted\">nothing yet</p>\n";
            continue;
        }
        std::vector<std::string> columns;
        for (const auto& [k, _] : rows.front().items()) columns.push_back(k);
        out += "<table>\n<tr>";
        for (const auto& c : columns) out += "<th>" + html_escape(c) + "</th>";
        out += "</tr>\n";
        for (const auto& row : rows) {
            out += "<tr>";
            for (const auto& c : columns) {
                const auto it = row.find(c);
                std::string cell;
                if (it != row.end() && !it->is_null()) {
                    cell = it->is_string() ? it->get<std::string>() : it->dump();
                }
                out += "<td>" + html_escape(cell) + "</td>";
            }
            out += "</tr>\n";
        }
        out += "</table>\n";
    }
    return out;
}

}  // namespace nswatch
