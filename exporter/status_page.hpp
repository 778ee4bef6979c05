// The HTML status page served at `/`: for a person without Grafana. Self-contained (inline CSS, no
// script, no external resource) so it works offline and under a strict Content-Security-Policy.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "monitor/zone_state.hpp"

namespace nswatch {

/// Escape & < > " ' for HTML text and attribute values. Names, NSIDs and details come from DNS.
std::string html_escape(std::string_view s);

/// The whole page. `s` may be null: nothing has been probed yet.
std::string render_status_page(const Snapshot* s);

/// Where, in a rendered page, sections that belong at the top (the active alerts) go.
inline constexpr std::string_view kTopSectionsMarker = "<!--top-sections-->";

/// A zone's verdict in `nswatch check`'s terms (monitor/state_words.hpp): CRITICAL for a missing
/// delegation or a provider down, WARNING for an address down or a serial behind.
PluginStatus zone_plugin_status(const ZoneState& z);

/// Extra sections (title, array of flat objects) as HTML tables with the keys as columns; a
/// section with no rows says so. Inserted by the server before </body>.
std::string render_sections(const std::vector<std::pair<std::string, nlohmann::json>>& sections);

}  // namespace nswatch
