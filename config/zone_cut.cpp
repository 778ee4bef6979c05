#include "config/zone_cut.hpp"

#include <string_view>

namespace nswatch::config_detail {

namespace {

/// One line of the document: its text (without '\n') and where the next one starts.
struct Line {
    std::string_view text;
    size_t next;
};

Line line_at(std::string_view doc, size_t start) {
    const size_t nl = doc.find('\n', start);
    if (nl == std::string_view::npos) return {doc.substr(start), doc.size()};
    return {doc.substr(start, nl - start), nl + 1};
}

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \r") == std::string_view::npos;
}

/// "zones:" at column 0, nothing after it but spaces and a comment.
bool is_zones_key(std::string_view line) {
    constexpr std::string_view kKey = "zones:";
    if (line.substr(0, kKey.size()) != kKey) return false;
    const std::string_view after = line.substr(kKey.size());
    const size_t content = after.find_first_not_of(" \r");
    return content == std::string_view::npos || (content > 0 && after[content] == '#');
}

/// Characters that make an item mean something beyond its own lines (anchors, aliases, tags, merge
/// keys) or that the cut does not place (tabs, directives). Found anywhere in the list, even
/// inside a quoted string, they leave the list to the whole-document parse.
bool has_unsure_character(std::string_view text) {
    return text.find_first_of("&*!\t%") != std::string_view::npos ||
           text.find("<<") != std::string_view::npos;
}

}  // namespace

std::optional<ZoneCut> cut_zone_items(const std::string& yaml) {
    const std::string_view doc(yaml);
    // The key: exactly one line "zones:" at column 0.
    size_t key_next = std::string_view::npos;
    int line = 0;
    int key_line = -1;
    for (size_t at = 0; at < doc.size(); ++line) {
        const Line l = line_at(doc, at);
        if (is_zones_key(l.text)) {
            if (key_next != std::string_view::npos) return std::nullopt;  // twice: an error
            key_next = l.next;
            key_line = line;
        }
        at = l.next;
    }
    if (key_next == std::string_view::npos) return std::nullopt;

    ZoneCut cut;
    size_t dash = std::string_view::npos;  // the list's indentation
    size_t list_end = doc.size();
    line = key_line + 1;
    int end_line = line;
    for (size_t at = key_next; at < doc.size(); ++line) {
        const Line l = line_at(doc, at);
        const size_t indent = l.text.find_first_not_of(' ');
        const bool item_start = indent != std::string_view::npos && l.text[indent] == '-' &&
                                (indent + 1 == l.text.size() || l.text[indent + 1] == ' ');
        if (dash == std::string_view::npos) {
            // Before the first item: blank lines and comments only.
            if (item_start) {
                dash = indent;
            } else if (is_blank(l.text) || l.text[indent] == '#') {
                at = l.next;
                continue;
            } else {
                return std::nullopt;  // a flow list, or something else on the line after the key
            }
        }
        if (item_start && indent == dash) {
            if (!cut.items.empty()) cut.items.back().end = at;
            cut.items.push_back({at, 0, line});
        } else if (is_blank(l.text) || indent > dash || l.text[indent] == '#') {
            // Inside the current item (or a comment, which is nobody's).
        } else if (indent == 0) {
            // The next top-level key ends the list.
            const std::string_view start = l.text.substr(0, 3);
            if (start == "---" || start == "...") return std::nullopt;
            list_end = at;
            break;
        } else {
            return std::nullopt;
        }
        at = l.next;
        end_line = line + 1;
    }
    if (cut.items.empty()) return std::nullopt;
    cut.items.back().end = list_end;
    const size_t first = cut.items.front().begin;
    if (has_unsure_character(doc.substr(first, list_end - first))) return std::nullopt;

    const auto emptied = static_cast<size_t>(end_line - cut.items.front().line);
    cut.rest.reserve(first + emptied + (doc.size() - list_end));
    cut.rest.append(doc.substr(0, first));
    cut.rest.append(emptied, '\n');
    cut.rest.append(doc.substr(list_end));
    return cut;
}

}  // namespace nswatch::config_detail
