#include "catalog/catalog_members.hpp"

#include <string_view>
#include <unordered_set>

#include "config/shard.hpp"

namespace nswatch {

MemberMerge add_catalog_members(Config& config, const std::vector<CatalogMember>& members) {
    MemberMerge out;
    std::unordered_set<std::string_view> listed;
    listed.reserve(config.zones.size());
    for (const auto& z : config.zones) listed.insert(z.name);
    const auto& groups = config.inventory.catalog.groups;
    std::vector<ZoneConfig> added;
    for (const auto& m : members) {
        if (listed.contains(m.zone)) {
            ++out.in_file;
            continue;
        }
        ++config.inventory.listed;
        if (!in_shard(m.zone, config.inventory.shard)) {
            ++out.other_shard;
            continue;
        }
        const auto g = m.group.empty() ? groups.end() : groups.find(m.group);
        ZoneConfig zone = g == groups.end() ? ZoneConfig{} : g->second;
        zone.name = m.zone;
        added.push_back(std::move(zone));
    }
    out.added = added.size();
    config.zones.insert(config.zones.end(), std::make_move_iterator(added.begin()),
                        std::make_move_iterator(added.end()));
    return out;
}

}  // namespace nswatch
