// Rendering `check` results: a terminal table grouped by provider, and JSON for scripts.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "monitor/zone_view.hpp"

namespace nswatch {

struct RenderOptions {
    bool colour = false;  ///< ANSI colours (only on a terminal)
};

void render_check_text(std::ostream& out, const std::vector<ZoneView>& views,
                       const RenderOptions& options);

nlohmann::json probe_result_json(const ProbeResult& r);
nlohmann::json check_json(const std::vector<ZoneView>& views, PluginStatus overall);

}  // namespace nswatch
