// Internal to the loader: cutting a top-level block `zones:` list into its items, so that each zone
// is parsed on its own and its node tree freed before the next one. yaml-cpp's tree of a whole
// document costs ~16 KiB per zone; a list of 100,000 zones made a 1.9 GB peak for a config that
// ends up as ~60 MB.
//
// The cut is decided from the events of the syntax pass the loader makes anyway (DocumentScan), not
// from the text alone: the items' positions are yaml-cpp's own. Anything the cut cannot be sure of
// (anchors or aliases anywhere, tags in the list, a flow-style or empty list, an empty item, an
// item whose lines are not all inside its indentation, tabs) leaves the whole document to the usual
// parse.
#pragma once

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace nswatch::config_detail {

/// Records where each document starts and, in the first document, where the items of a
/// top-level block `zones:` sequence start.
class DocumentScan : public YAML::EventHandler {
  public:
    std::vector<YAML::Mark> starts;  ///< position of each document's first token

    /// True when the first document's `zones` is a block list whose items can be cut apart.
    bool zones_cuttable() const;
    /// The items' positions (each item node's own mark), in document order.
    const std::vector<YAML::Mark>& zone_items() const { return items_; }
    /// The 0-based line of the top-level key after `zones`, or -1 when `zones` is the last one.
    int line_after_zones() const { return line_after_; }

    void OnDocumentStart(const YAML::Mark& mark) override;
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override;
    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value style) override;
    void OnSequenceEnd() override;
    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value style) override;
    void OnMapEnd() override;

  private:
    /// Every node event of the first document passes here first; returns whether the node is the
    /// value of the top-level key `zones`.
    bool node(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string& tag);

    int depth_ = 0;          ///< collections open around the next event
    bool key_next_ = false;  ///< in the top-level map, the next node is a key
    bool zones_value_next_ = false;
    bool in_zones_ = false;    ///< inside the block `zones` list
    bool zones_done_ = false;  ///< the block `zones` list has ended
    int zones_keys_ = 0;       ///< top-level `zones` keys seen
    bool unsure_ = false;      ///< something the cut does not handle was seen
    int line_after_ = -1;
    std::vector<YAML::Mark> items_;
};

/// One item of the list: its lines, and where its node starts.
struct ZoneItem {
    size_t begin = 0, end = 0;  ///< byte range of the item's lines in the document
    int line = 0;               ///< 0-based line of its first line (its "- ")
    YAML::Mark mark;            ///< its node's position in the whole document
};

/// A document with its zones list cut out.
struct ZoneCut {
    /// The document with every line of the items emptied (so `zones` is null there, and every
    /// other line keeps its number).
    std::string rest;
    std::vector<ZoneItem> items;
};

/// The cut of `yaml` by `scan` (which has seen exactly this text), or nullopt when the whole
/// document has to be parsed as one.
std::optional<ZoneCut> cut_zone_items(const std::string& yaml, const DocumentScan& scan);

/// A cut that turned out wrong while reading (an item did not parse alone to the node it is in
/// the whole document): the loader starts again from the whole document.
struct ZoneCutUnsure {};

}  // namespace nswatch::config_detail
