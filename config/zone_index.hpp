// The config's zones by name, for a caller that looks up many of them: Config::find_zone scans
// the list, so looking up every zone of a config that way costs O(zones²) (a one-shot check or
// audit of 10,000 zones spent seconds there).
#pragma once

#include <string_view>
#include <unordered_map>

#include "config/schema.hpp"

namespace nswatch {

class ZoneIndex {
  public:
    /// Points into `config`, which must outlive the index and keep its zones unchanged.
    explicit ZoneIndex(const Config& config);

    /// What config.find_zone(name) returns (the name normalised first), in constant time.
    const ZoneConfig* find(std::string_view name) const;

  private:
    std::unordered_map<std::string_view, const ZoneConfig*> by_name_;
};

}  // namespace nswatch
