// Internal to the loader: cutting a top-level block `zones:` list into its items, so that each zone
// is parsed on its own and its node tree freed before the next one. yaml-cpp's tree of a whole
// document costs ~16 KiB per zone: a list of 100,000 zones made a 1.9 GB peak for a config that
// ends up as ~60 MB, and the document was scanned twice (a syntax pass, then the tree).
//
// The cut is made on the text, conservatively: the list's items are the lines from one "- " at the
// list's indentation to the next, and every other line of an item must be blank, a comment or
// indented past the dash, so that each item reads alone as it reads in the document. The loader
// then checks what the text cannot promise (each item parses alone to exactly one item, the rest of
// the document parses with `zones` empty) and parses the whole document as one tree whenever
// anything is off. A list with an anchor, alias, tag or merge key, a flow-style list, tabs, or a
// line the cut cannot place is never cut.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace nswatch::config_detail {

/// One item of the list: its lines.
struct ZoneItem {
    size_t begin = 0, end = 0;  ///< byte range of the item's lines in the document
    int line = 0;               ///< 0-based line of its first line (its "- ")
};

/// A document with its zones list cut out.
struct ZoneCut {
    /// The document with every line of the items emptied (so `zones` is null there, and every
    /// other line keeps its number and its text).
    std::string rest;
    std::vector<ZoneItem> items;
};

/// The cut of `yaml`'s top-level block `zones` list, or nullopt when there is none or it cannot
/// be cut with certainty (then the whole document is parsed as one).
std::optional<ZoneCut> cut_zone_items(const std::string& yaml);

/// A cut that turned out wrong while reading (an item or the rest did not parse as expected):
/// the loader starts again from the whole document.
struct ZoneCutUnsure {};

}  // namespace nswatch::config_detail
