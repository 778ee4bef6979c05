// Internal to the loader: reading the `resolvers` section (config/resolvers.hpp).
#pragma once

#include <string>
#include <vector>

#include "config/resolvers.hpp"
#include "config/yaml_fields.hpp"
#include "dns/vantage.hpp"

namespace nswatch::config_detail {

/// The `resolvers` section; `vantages` are the config's defined vantages (already read).
/// Throws ConfigError at the offending value.
ResolutionSettings read_resolution(const Reader& in, const Field& field,
                                   const std::vector<Vantage>& vantages);

}  // namespace nswatch::config_detail
