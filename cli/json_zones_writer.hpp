// `check --json` and `audit --format json` print one document: a few summary keys, then "zones",
// an array with one object per zone. At thousands of zones, building that as one JSON tree and
// one string was most of the command's time and memory; this writes the same bytes (dump(2) and
// a newline) a zone at a time.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>

namespace nswatch {

/// Writes what `doc.dump(2) + "\n"` would, where `doc` is `head` (an object whose keys all sort
/// before "zones", as nlohmann::json orders them) plus "zones": [zone(0), ..., zone(n - 1)].
/// Each zone is built, dumped and written before the next is built: the reference `zone(i)`
/// returns is read before zone(i + 1) is called, so it may be one object rewritten each time.
void write_zones_document(std::ostream& out, const nlohmann::json& head, size_t n,
                          const std::function<const nlohmann::json&(size_t)>& zone);

}  // namespace nswatch
