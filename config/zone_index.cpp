#include "config/zone_index.hpp"

#include "config/names.hpp"

namespace nswatch {

ZoneIndex::ZoneIndex(const Config& config) {
    by_name_.reserve(config.zones.size());
    // emplace keeps the first of two equal names, as find_zone's scan does.
    for (const auto& zone : config.zones) by_name_.emplace(zone.name, &zone);
}

const ZoneConfig* ZoneIndex::find(std::string_view name) const {
    std::string why;
    const auto normal = normalize_domain_name(name, &why);
    if (!normal) return nullptr;
    const auto it = by_name_.find(*normal);
    return it == by_name_.end() ? nullptr : it->second;
}

}  // namespace nswatch
