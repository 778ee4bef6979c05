// Internal to the loader: reading the `alerts` section (config/alerts_schema.hpp).
#pragma once

#include <filesystem>

#include "config/alerts_schema.hpp"
#include "config/yaml_fields.hpp"

namespace nswatch::config_detail {

/// Read the `alerts` map (`zones`: the config's zone names, which alerts.zones may name) into `out`
/// (which starts from its defaults). Relative paths (state_path,
/// *_file secrets) are taken from `base_dir`. Throws ConfigError at the offending value.
void read_alerts(const Reader& in, const Field& field, const std::filesystem::path& base_dir,
                 const std::vector<std::string>& zones, AlertSettings& out);

}  // namespace nswatch::config_detail
