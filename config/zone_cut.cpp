#include "config/zone_cut.hpp"

#include <cstring>
#include <string_view>

namespace nswatch::config_detail {

namespace {

// yaml-cpp's tag of a node written without one: "?" for a plain scalar or a collection, "!" for a
// quoted scalar. Any other tag may change what the node means.
bool untagged(const std::string& tag) {
    return tag.empty() || tag == "?" || tag == "!";
}

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \r") == std::string_view::npos;
}

/// Checks the item's lines: the first is "- " at column `dash` followed by its node at
/// `mark.column`; every later line is blank, a comment, or indented past the dash, so that no
/// line of the item depends on what surrounds the list.
bool item_lines_fit(std::string_view text, size_t dash, const YAML::Mark& mark) {
    const size_t first_end = std::min(text.find('\n'), text.size());
    const std::string_view first = text.substr(0, first_end);
    const size_t column = static_cast<size_t>(mark.column);
    if (column < dash + 2 || column >= first.size()) return false;
    if (first.find_first_not_of(' ') != dash || first[dash] != '-') return false;
    for (size_t i = dash + 1; i < column; ++i) {
        if (first[i] != ' ') return false;
    }
    size_t start = first_end + 1;
    while (start < text.size()) {
        const size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (is_blank(line)) continue;
        const size_t indent = line.find_first_not_of(' ');
        if (line[indent] == '#') continue;
        if (indent <= dash) return false;
    }
    return true;
}

}  // namespace

bool DocumentScan::zones_cuttable() const {
    return !unsure_ && zones_keys_ == 1 && zones_done_ && !items_.empty();
}

void DocumentScan::OnDocumentStart(const YAML::Mark& mark) {
    starts.push_back(mark);
}

bool DocumentScan::node(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string& tag) {
    if (starts.size() != 1) return false;
    if (anchor != 0) unsure_ = true;
    if (in_zones_ && !untagged(tag)) unsure_ = true;
    if (depth_ == 2 && in_zones_) items_.push_back(mark);
    if (depth_ != 1) return false;
    if (key_next_) {
        if (zones_done_ && line_after_ < 0) line_after_ = mark.line;
        key_next_ = false;
        return false;
    }
    key_next_ = true;
    const bool zones_value = zones_value_next_;
    zones_value_next_ = false;
    return zones_value;
}

void DocumentScan::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) {
    // An empty item has no position of its own (the loader reports the list's).
    if (depth_ == 2 && in_zones_) unsure_ = true;
    if (node(mark, anchor, "")) unsure_ = true;
}

void DocumentScan::OnAlias(const YAML::Mark& mark, YAML::anchor_t) {
    unsure_ = true;
    node(mark, 0, "");
}

void DocumentScan::OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                            const std::string& value) {
    const bool key = depth_ == 1 && key_next_;
    if (node(mark, anchor, tag)) unsure_ = true;  // zones: a scalar
    if (key && value == "zones" && starts.size() == 1) {
        ++zones_keys_;
        zones_value_next_ = true;
    }
}

void DocumentScan::OnSequenceStart(const YAML::Mark& mark, const std::string& tag,
                                   YAML::anchor_t anchor, YAML::EmitterStyle::value style) {
    if (node(mark, anchor, tag)) {
        if (style == YAML::EmitterStyle::Block && untagged(tag) && !zones_done_) {
            in_zones_ = true;
        } else {
            unsure_ = true;
        }
    }
    ++depth_;
}

void DocumentScan::OnSequenceEnd() {
    --depth_;
    if (in_zones_ && depth_ == 1) {
        in_zones_ = false;
        zones_done_ = true;
    }
}

void DocumentScan::OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                              YAML::EmitterStyle::value) {
    if (node(mark, anchor, tag)) unsure_ = true;  // zones: a map
    if (depth_ == 0 && starts.size() == 1) key_next_ = true;
    ++depth_;
}

void DocumentScan::OnMapEnd() {
    --depth_;
}

std::optional<ZoneCut> cut_zone_items(const std::string& yaml, const DocumentScan& scan) {
    if (!scan.zones_cuttable()) return std::nullopt;
    if (std::memchr(yaml.data(), '\t', yaml.size()) != nullptr) return std::nullopt;
    const std::vector<YAML::Mark>& marks = scan.zone_items();
    const int last_line = scan.line_after_zones();

    // Byte offsets of the items' first lines and of the line after the list, in one pass.
    std::vector<size_t> starts;
    starts.reserve(marks.size() + 1);
    size_t offset = 0;
    int line = 0;
    auto seek = [&](int target) -> bool {
        while (line < target) {
            const size_t nl = yaml.find('\n', offset);
            if (nl == std::string::npos) return false;
            offset = nl + 1;
            ++line;
        }
        return line == target;
    };
    for (const YAML::Mark& m : marks) {
        if (!seek(m.line)) return std::nullopt;
        starts.push_back(offset);
    }
    size_t list_end = yaml.size();
    int end_line = line;
    if (last_line >= 0) {
        if (!seek(last_line)) return std::nullopt;
        list_end = offset;
        end_line = last_line;
    } else {
        // The list runs to the end of the document: count its lines.
        for (size_t p = offset; p < yaml.size(); ++p) end_line += yaml[p] == '\n';
        if (!yaml.empty() && yaml.back() != '\n') ++end_line;
    }

    ZoneCut cut;
    cut.items.reserve(marks.size());
    const std::string_view text(yaml);
    const size_t dash = text.substr(starts[0]).find_first_not_of(' ');
    for (size_t i = 0; i < marks.size(); ++i) {
        ZoneItem item;
        item.begin = starts[i];
        item.end = i + 1 < marks.size() ? starts[i + 1] : list_end;
        item.line = marks[i].line;
        item.mark = marks[i];
        if (item.end <= item.begin ||
            !item_lines_fit(text.substr(item.begin, item.end - item.begin), dash, item.mark)) {
            return std::nullopt;
        }
        cut.items.push_back(item);
    }
    const size_t emptied = static_cast<size_t>(end_line - marks.front().line);
    cut.rest.reserve(starts[0] + emptied + (yaml.size() - list_end));
    cut.rest.append(text.substr(0, starts[0]));
    cut.rest.append(emptied, '\n');
    cut.rest.append(text.substr(list_end));
    return cut;
}

}  // namespace nswatch::config_detail
