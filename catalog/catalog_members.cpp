#include "catalog/catalog_members.hpp"

#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "config/shard.hpp"

namespace nswatch {

std::vector<MemberMerge> add_catalog_members(
    Config& config, const std::vector<std::vector<CatalogMember>>& members) {
    const auto& catalogs = config.inventory.catalogs;
    std::vector<MemberMerge> out(catalogs.size());
    std::unordered_set<std::string_view> in_file;
    in_file.reserve(config.zones.size());
    for (const auto& z : config.zones) in_file.insert(z.name);
    // Each member zone taken so far, with the index of the catalog it came from.
    std::unordered_map<std::string_view, size_t> taken;
    std::vector<ZoneConfig> added;
    for (size_t i = 0; i < catalogs.size() && i < members.size(); ++i) {
        const auto& groups = catalogs[i].groups;
        MemberMerge& merge = out[i];
        for (const auto& m : members[i]) {
            if (in_file.contains(m.zone)) {
                ++merge.in_file;
                continue;
            }
            if (const auto t = taken.find(m.zone); t != taken.end()) {
                if (t->second != i) {
                    merge.in_earlier_catalog.push_back(
                        {m.zone, catalogs[t->second].name, catalogs[i].name});
                }
                continue;
            }
            taken.emplace(m.zone, i);
            ++config.inventory.listed;
            if (!in_shard(m.zone, config.inventory.shard)) {
                ++merge.other_shard;
                continue;
            }
            const auto g = m.group.empty() ? groups.end() : groups.find(m.group);
            ZoneConfig zone = g == groups.end() ? ZoneConfig{} : g->second;
            zone.name = m.zone;
            added.push_back(std::move(zone));
            ++merge.added;
        }
    }
    config.zones.insert(config.zones.end(), std::make_move_iterator(added.begin()),
                        std::make_move_iterator(added.end()));
    return out;
}

}  // namespace nswatch
