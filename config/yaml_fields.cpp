#include "config/yaml_fields.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "config/config.hpp"
#include "config/names.hpp"

namespace nswatch::config_detail {
namespace {

bool valid(const YAML::Mark& mark) {
    return mark.line >= 0 && mark.column >= 0;
}

std::string join(const std::vector<std::string_view>& words) {
    std::string out;
    for (auto word : words) {
        if (!out.empty()) out += ", ";
        out += word;
    }
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string where(const Field& field) {
    return field.path.empty() ? "at the top level" : "in " + field.path;
}

}  // namespace

YAML::Mark Field::mark() const {
    if (value.IsDefined() && !value.IsNull() && valid(value.Mark())) return value.Mark();
    if (valid(key_mark)) return key_mark;
    return value.Mark();
}

const Field* MapFields::get(std::string_view key) const {
    for (const auto& [name, field] : entries) {
        if (name == key) return &field;
    }
    return nullptr;
}

std::string quote_value(std::string_view text) {
    if (text.size() <= kQuotedPrefix) return "'" + std::string(text) + "'";
    return "'" + std::string(text.substr(0, kQuotedPrefix)) + "'... (" +
           std::to_string(text.size()) + " bytes)";
}

std::string clip_value(std::string_view text) {
    if (text.size() <= kQuotedPrefix) return std::string(text);
    return std::string(text.substr(0, kQuotedPrefix)) + "... (" + std::to_string(text.size()) +
           " bytes)";
}

std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Scalar:
            return quote_value(node.Scalar());
        default:
            return "nothing (an empty value)";
    }
}

void Reader::fail(const YAML::Mark& mark, const std::string& message) const {
    std::string text = message;
    if (text.size() > kMaxMessageBytes) {
        text = text.substr(0, kMaxMessageBytes) + "... (message cut, " +
               std::to_string(message.size()) + " bytes)";
    }
    if (valid(mark)) throw ConfigError(source_, file_line(mark) + 1, mark.column + 1, text);
    // Only an empty document has no position at all; point at its start.
    throw ConfigError(source_, 1, 1, text);
}

void Reader::fail(const Field& field, const std::string& message) const {
    fail(field.mark(), field.path.empty() ? message : field.path + ": " + message);
}

MapFields Reader::map(const Field& field, const std::vector<std::string_view>& allowed,
                      const std::vector<std::string_view>& reserved) const {
    if (!field.value.IsMap()) {
        fail(field, "expected a map of keys (" + join(allowed) + "), got " + describe(field.value));
    }
    MapFields out{{}, field};
    for (auto it = field.value.begin(); it != field.value.end(); ++it) {
        // Copies: the iterator hands out a temporary proxy, a reference into it would dangle.
        const YAML::Node key = it->first;
        const YAML::Node value = it->second;
        if (!key.IsScalar()) {
            fail(key.Mark(), "keys must be plain words, got " + describe(key) + " " + where(field));
        }
        const std::string& name = key.Scalar();
        if (name.size() > kQuotedPrefix) {
            // No key is this long; and "did you mean" would compare every byte of it.
            fail(key.Mark(), "unknown key " + quote_value(name) + " " + where(field) +
                                 " (allowed keys: " + join(allowed) + ")");
        }
        std::string path = field.path.empty() ? name : field.path + "." + name;
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            std::string allowed_list = " (allowed keys: " + join(allowed) + ")";
            if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
                fail(key.Mark(), "'" + name +
                                     "' is reserved for a future version of nswatch and not "
                                     "supported yet; remove it" +
                                     allowed_list);
            }
            if (name == "<<") {
                fail(key.Mark(),
                     "YAML merge keys ('<<') are not supported; write the keys out" + allowed_list);
            }
            std::string message = "unknown key '" + name + "' " + where(field);
            if (auto close = closest_match(name, allowed)) {
                message += ": did you mean '" + *close + "'?";
                if (lower(name) == *close) message += " (keys are lower case)";
            }
            fail(key.Mark(), message + allowed_list);
        }
        for (const auto& [seen_name, seen] : out.entries) {
            if (seen_name == name) {
                fail(key.Mark(), "duplicate key '" + name + "' " + where(field) +
                                     " (first at line " +
                                     std::to_string(file_line(seen.key_mark) + 1) +
                                     "); each key may appear once");
            }
        }
        out.entries.emplace_back(name, Field{value, path, key.Mark()});
    }
    return out;
}

std::vector<Field> Reader::list(const Field& field, std::string_view example) const {
    if (!field.value.IsSequence()) {
        fail(field,
             "expected a list, e.g. " + std::string(example) + ", got " + describe(field.value));
    }
    std::vector<Field> items;
    size_t i = 0;
    for (const auto& item : field.value) {
        // An empty item ("- " alone) has no position of its own; the list's is close enough.
        YAML::Mark mark = item.IsNull() ? field.mark() : item.Mark();
        items.push_back(Field{item, field.path + "[" + std::to_string(i++) + "]", mark});
    }
    return items;
}

const Field& Reader::require(const MapFields& map, std::string_view key,
                             std::string_view explanation) const {
    if (const Field* field = map.get(key)) return *field;
    fail(map.whole, "missing key '" + std::string(key) + "': " + std::string(explanation));
}

std::string Reader::string(const Field& field, std::string_view expected) const {
    if (!field.value.IsScalar() || field.value.Scalar().empty()) {
        fail(field, "expected " + std::string(expected) + ", got " + describe(field.value));
    }
    const std::string& s = field.value.Scalar();
    if (s.size() > kMaxSettingBytes) {
        fail(field, "value is " + std::to_string(s.size()) + " bytes, more than the " +
                        std::to_string(kMaxSettingBytes) + " a setting may have (expected " +
                        std::string(expected) + "): " + quote_value(s));
    }
    return s;
}

std::string Reader::line_of(const Field& field) const {
    return std::to_string(file_line(field.mark()) + 1);
}

std::string Reader::mark_text(const Field& field) const {
    return std::to_string(file_line(field.mark()) + 1) + ":" +
           std::to_string(field.mark().column + 1);
}

bool Reader::boolean(const Field& field) const {
    if (field.value.IsScalar()) {
        std::string s = lower(field.value.Scalar());
        if (s == "true" || s == "yes" || s == "on") return true;
        if (s == "false" || s == "no" || s == "off") return false;
    }
    fail(field, "expected true or false, got " + describe(field.value));
}

int64_t Reader::integer(const Field& field, int64_t min, int64_t max) const {
    std::string range = std::to_string(min) + " and " + std::to_string(max);
    if (!field.value.IsScalar()) {
        fail(field, "expected a whole number between " + range + ", got " + describe(field.value));
    }
    const std::string& s = field.value.Scalar();
    int64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc::result_out_of_range) {
        fail(field, clip_value(s) + " is out of range: expected a whole number between " + range);
    }
    if (ec != std::errc() || end != s.data() + s.size()) {
        fail(field, "expected a whole number between " + range + ", got " + quote_value(s));
    }
    if (value < min || value > max) {
        fail(field, clip_value(s) + " is out of range: expected a whole number between " + range);
    }
    return value;
}

std::chrono::milliseconds Reader::duration(const Field& field, std::chrono::milliseconds min,
                                           std::chrono::milliseconds max) const {
    if (!field.value.IsScalar()) {
        fail(field,
             "expected a duration such as 500ms, 2s, 5m, 1h or 7d, got " + describe(field.value));
    }
    const std::string& s = field.value.Scalar();
    std::chrono::milliseconds d{};
    try {
        d = parse_duration(s);
    } catch (const std::invalid_argument& e) {
        fail(field, "bad duration " + quote_value(s) + ": " + e.what());
    }
    if (d < min) {
        fail(field, clip_value(s) + (min.count() == 1 ? " is too short: must be greater than 0"
                                                      : " is too short: must be at least " +
                                                            format_duration(min)));
    }
    if (d > max) {
        fail(field, clip_value(s) + " is too long: must be at most " + format_duration(max));
    }
    return d;
}

double Reader::fraction(const Field& field) const {
    constexpr std::string_view kExpected =
        "expected a percentage between 0% and 100% (e.g. 10%) or a fraction between 0 and 1";
    if (!field.value.IsScalar()) {
        fail(field, std::string(kExpected) + ", got " + describe(field.value));
    }
    std::string s = field.value.Scalar();
    bool percent = !s.empty() && s.back() == '%';
    if (percent) s.pop_back();
    double value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
        fail(field, std::string(kExpected) + ", got " + quote_value(field.value.Scalar()));
    }
    if (percent) value /= 100;
    // NaN fails both comparisons, so test for being inside rather than outside.
    if (!(value >= 0 && value <= 1)) {
        fail(field,
             clip_value(field.value.Scalar()) + " is out of range: " + std::string(kExpected));
    }
    return value;
}

}  // namespace nswatch::config_detail
