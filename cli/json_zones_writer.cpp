#include "cli/json_zones_writer.hpp"

#include <stdexcept>
#include <string>

namespace nswatch {

namespace {

/// Appends what `value.dump(2)` would, each line after the first indented `indent` more spaces.
/// nlohmann's public dump() always starts at indentation 0; its serializer (a detail:: class of
/// the library, the one dump() itself uses) takes the starting indentation, which saves a string
/// per zone and a second pass over it to indent its lines.
void append_dump(std::string& out, const nlohmann::json& value, unsigned indent) {
    nlohmann::detail::serializer<nlohmann::json> s(
        nlohmann::detail::output_adapter<char, std::string>(out), ' ');
    s.dump(value, true, false, 2, indent);
}

/// Zones are written to the stream in blocks of about this many bytes, not a write per zone.
constexpr size_t kBlock = 64 * 1024;

}  // namespace

void write_zones_document(std::ostream& out, const nlohmann::json& head, size_t n,
                          const std::function<const nlohmann::json&(size_t)>& zone) {
    if (!head.is_object() || head.empty() || head.contains("zones"))
        throw std::invalid_argument("write_zones_document: head must be an object without zones");
    // "{\n  ...last key\n}": keep all but the closing brace, then the zones as its last key.
    std::string text = head.dump(2);
    text.resize(text.size() - 2);
    text += ",\n  \"zones\": [";
    if (n == 0) {
        text += "]\n}\n";
        out << text;
        return;
    }
    text.reserve(kBlock + kBlock / 2);
    for (size_t i = 0; i < n; ++i) {
        text += i == 0 ? "\n    " : ",\n    ";
        append_dump(text, zone(i), 4);
        if (text.size() >= kBlock) {
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            text.clear();
        }
    }
    text += "\n  ]\n}\n";
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace nswatch
