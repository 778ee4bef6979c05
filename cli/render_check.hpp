// Rendering `check` results: a terminal table grouped by provider, and JSON for scripts.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "cli/json_zones_writer.hpp"
#include "monitor/zone_view.hpp"

namespace nswatch {

struct RenderOptions {
    bool colour = false;  ///< ANSI colours (only on a terminal)
};

void render_check_text(std::ostream& out, const std::vector<ZoneView>& views,
                       const RenderOptions& options);

nlohmann::json probe_result_json(const ProbeResult& r);
/// Writes probe_result_json(r) into `j` in place: `j` may hold an earlier probe's object, whose
/// values are overwritten (cli/json_in_place.hpp).
void fill_probe_result_json(nlohmann::json& j, const ProbeResult& r);
/// One zone's object of check's JSON.
nlohmann::json zone_check_json(const ZoneView& v);
/// Writes zone_check_json(v) into `z` in place, as fill_probe_result_json does.
void fill_zone_check_json(nlohmann::json& z, const ZoneView& v);
/// The whole document: status, exit code and every zone.
nlohmann::json check_json(const std::vector<ZoneView>& views, PluginStatus overall);
/// What `check --json` prints: the bytes of check_json(views, overall).dump(2) and a newline,
/// written a zone at a time, so that thousands of zones never exist as one JSON tree and one
/// string at once (both were most of check's time and memory at 10,000 zones).
void write_check_json(std::ostream& out, const std::vector<ZoneView>& views, PluginStatus overall);

/// `check --json` for zones that come one at a time (check_round_each): each zone's object is
/// dumped as it comes, the document written at the end, when the overall status its head
/// starts with is known. write() puts out what write_check_json(out, views, overall()) would
/// for the views added.
class CheckJsonWriter {
  public:
    void add(const ZoneView& v);
    PluginStatus overall() const { return overall_; }
    void write(std::ostream& out) const;

  private:
    nlohmann::json zone_;  // one object, overwritten for each zone (cli/json_in_place.hpp)
    ZonesDocumentSpool spool_;
    PluginStatus overall_ = PluginStatus::ok;
};

}  // namespace nswatch
