// The zones a catalog's members become (pure): each member a ZoneConfig with its group's
// settings (zones_from.groups; defaults when it has no group or one not listed), only those of
// this instance's shard, and none that the config file lists itself (the file's settings win).
#pragma once

#include <cstddef>
#include <vector>

#include "catalog/catalog_zone.hpp"
#include "config/schema.hpp"

namespace nswatch {

/// What add_catalog_members did.
struct MemberMerge {
    size_t added = 0;        ///< members appended to config.zones
    size_t other_shard = 0;  ///< members left to other shards
    size_t in_file = 0;      ///< members the file lists already (kept with the file's settings)
};

/// Append `members` to `config.zones` as described above; config.inventory.listed counts them.
MemberMerge add_catalog_members(Config& config, const std::vector<CatalogMember>& members);

}  // namespace nswatch
