// Internal to the loader: reading typed values out of yaml-cpp nodes, each failure a ConfigError
// at the node's position. Keeping these apart from the schema walk (loader*.cpp) makes every
// section read the same way and word its errors the same way.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nswatch::config_detail {

/// One value in the document with what is needed to report on it.
struct Field {
    /// The value itself (may be a null node for "key:" with nothing after it).
    YAML::Node value;
    /// Where it sits in the schema, for messages: "zones[0].nameservers[1].name".
    std::string path;
    /// Position of the key (or list item), used when the value has no useful position of its own.
    YAML::Mark key_mark;

    /// The position to report: the value's, or the key's for an empty value (yaml-cpp gives an
    /// empty value the position of the next token, often on the next line).
    YAML::Mark mark() const;
};

/// The fields of a map in document order, after checking the keys.
struct MapFields {
    /// Every entry with its key, in document order.
    std::vector<std::pair<std::string, Field>> entries;
    /// The map as a whole (its position is used for "missing key" errors).
    Field whole;

    /// The field under `key`, or nullptr when absent.
    const Field* get(std::string_view key) const;
};

/// Reads values for one source; every failure throws ConfigError prefixed with `source`.
class Reader {
  public:
    explicit Reader(std::string source) : source_(std::move(source)) {}

    /// Throw ConfigError at `mark` (0-based, printed 1-based).
    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const;
    /// Throw ConfigError at the field, the message prefixed with its path.
    [[noreturn]] void fail(const Field& field, const std::string& message) const;

    /// Check `field` is a map whose keys are all in `allowed`, each once; `reserved` keys get a
    /// "not supported yet" message instead of "unknown key".
    MapFields map(const Field& field, const std::vector<std::string_view>& allowed,
                  const std::vector<std::string_view>& reserved = {}) const;
    /// Check `field` is a list and return its items (paths "path[i]"); `example` shows the
    /// expected shape in the error message.
    std::vector<Field> list(const Field& field, std::string_view example) const;
    /// A required key of a map.
    const Field& require(const MapFields& map, std::string_view key,
                         std::string_view explanation) const;

    /// A non-empty scalar string.
    std::string string(const Field& field, std::string_view expected) const;
    /// true/false (also yes/no, on/off).
    bool boolean(const Field& field) const;
    /// A whole number in [min, max].
    int64_t integer(const Field& field, int64_t min, int64_t max) const;
    /// A duration (config/names.hpp parse_duration) in [min, max].
    std::chrono::milliseconds duration(const Field& field, std::chrono::milliseconds min,
                                       std::chrono::milliseconds max) const;
    /// A fraction in [0, 1], written "10%" or 0.1.
    double fraction(const Field& field) const;

    /// The 1-based line of a field, for "first at line N" in duplicate errors.
    std::string line_of(const Field& field) const;
    /// The 1-based line:column of a field, for "first defined at L:C" in duplicate errors.
    std::string mark_text(const Field& field) const;
    /// The 0-based line in the file of a position read from a part of it (see LinesBefore).
    int file_line(const YAML::Mark& mark) const { return mark.line + lines_before_; }

    /// While alive, positions are read as those of a text that starts `lines` lines into the
    /// file: a zone parsed on its own (config/zone_cut.hpp) is reported at its line in the file.
    class LinesBefore {
      public:
        LinesBefore(const Reader& reader, int lines) : reader_(reader) {
            reader_.lines_before_ = lines;
        }
        ~LinesBefore() { reader_.lines_before_ = 0; }
        LinesBefore(const LinesBefore&) = delete;
        LinesBefore& operator=(const LinesBefore&) = delete;

      private:
        const Reader& reader_;
    };

  private:
    std::string source_;            ///< file path or source name that prefixes every message
    mutable int lines_before_ = 0;  ///< set by LinesBefore
};

/// The longest string setting (a name, URL, key, path): longer values are refused before any
/// other check, so a huge value costs neither time nor a huge message.
inline constexpr size_t kMaxSettingBytes = 4096;
/// How much of a value a message quotes.
inline constexpr size_t kQuotedPrefix = 64;
/// The longest message a ConfigError carries; longer ones are cut (a last guard against echoing a
/// huge value).
inline constexpr size_t kMaxMessageBytes = 2048;

/// `text` in single quotes for a message; beyond kQuotedPrefix bytes only its start and its size:
/// 'aaaa...aaa'... (52428800 bytes).
std::string quote_value(std::string_view text);
/// quote_value without the quotes, for messages that show a value bare ("150% is out of range").
std::string clip_value(std::string_view text);

/// How a node is described in "got ..." parts of messages: "a list", "a map", "'text'".
std::string describe(const YAML::Node& node);

}  // namespace nswatch::config_detail
