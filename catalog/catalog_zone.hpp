// Reading a catalog zone (RFC 9432, schema versions 1 and 2) from its records: which member
// zones it lists and their `group` property. Pure: the records come from a transfer
// (catalog/catalog_source.hpp), the member list goes to the daemon's zone set.
//
// IMPLEMENTATION NOTES
// - A catalog is told from any other zone by its `version` TXT record ("1" or "2"); without it
//   nothing is read, so that pointing `zones_from.catalog` at an ordinary zone never drops every
//   monitored zone on a guess.
// - A member is the PTR at `<unique-id>.zones.<catalog>`. A malformed entry (two PTRs at one id,
//   a PTR outside `zones.`, a name that is no zone name, a zone listed twice) is reported, naming
//   the record, and skipped: one bad entry never costs the others.
// - Properties other than `group` (`coo`, `ext.*`, ...) are ignored, as RFC 9432 §4.4 allows.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// More members than this in one catalog is refused as a whole (a hostile or runaway catalog),
/// unless `zones_from.max_members` says otherwise.
inline constexpr size_t kDefaultCatalogMaxMembers = 10000;

/// One member zone of a catalog.
struct CatalogMember {
    std::string zone;   ///< lower case, no trailing dot
    std::string id;     ///< its unique-id label
    std::string group;  ///< the `group` property (version 2), empty when none

    bool operator==(const CatalogMember&) const = default;
};

/// What a catalog lists.
struct CatalogContent {
    int version = 0;                     ///< 1 or 2
    std::vector<CatalogMember> members;  ///< sorted by zone, each zone once
    std::vector<std::string> problems;   ///< entries skipped, one line each naming the record
};

/// The catalog as a whole cannot be used (not a catalog, unsupported version, too many members).
struct CatalogError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Read catalog `catalog` (lower case, no trailing dot) from its records (owners and names in
/// canonical form, as transfers give them). Throws CatalogError naming the catalog.
CatalogContent read_catalog(std::string_view catalog, const std::vector<Record>& records,
                            size_t max_members = kDefaultCatalogMaxMembers);

/// `name` (absolute, trailing dot optional) as a zone name nswatch monitors: lower case, no
/// trailing dot; empty when it is not a usable zone name (root, too long, an empty or over-long
/// label, characters outside letters, digits, '-' and '_').
std::string member_zone_name(std::string_view name);

}  // namespace nswatch
