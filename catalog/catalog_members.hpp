// The zones the catalogs' members become (pure): each member a ZoneConfig with its group's
// settings (the catalog entry's groups; defaults when it has no group or one not listed), only
// those of this instance's shard, none that the config file lists itself (the file's settings
// win), and a zone several catalogs list once, with the settings of the first catalog listed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "catalog/catalog_zone.hpp"
#include "config/schema.hpp"

namespace nswatch {

/// A zone two catalogs list: it is watched with the settings of `kept`, the one listed first.
struct SharedMember {
    std::string zone;
    std::string kept;     ///< the catalog whose member it is
    std::string skipped;  ///< the later catalog that lists it too

    bool operator==(const SharedMember&) const = default;
};

/// What add_catalog_members did with one catalog's members.
struct MemberMerge {
    size_t added = 0;        ///< members appended to config.zones
    size_t other_shard = 0;  ///< members left to other shards
    size_t in_file = 0;      ///< members the file lists already (kept with the file's settings)
    /// Members an earlier catalog of the list has already (kept with its settings).
    std::vector<SharedMember> in_earlier_catalog;
};

/// Append the members of every catalog to `config.zones` as described above: `members[i]` are
/// those of config.inventory.catalogs[i] (a missing entry: none). config.inventory.listed counts
/// each zone once. One MemberMerge per catalog, in the same order.
std::vector<MemberMerge> add_catalog_members(
    Config& config, const std::vector<std::vector<CatalogMember>>& members);

}  // namespace nswatch
