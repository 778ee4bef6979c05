#include "cli/json_zones_writer.hpp"

#include <stdexcept>
#include <string>

namespace nswatch {

namespace {

/// `text` with every line after the first indented by `indent` more spaces (a dump has no raw
/// newline inside a string: control characters are escaped).
void write_indented(std::ostream& out, const std::string& text, const char* indent) {
    size_t from = 0;
    for (size_t nl; (nl = text.find('\n', from)) != std::string::npos; from = nl + 1) {
        out.write(text.data() + from, static_cast<std::streamsize>(nl + 1 - from));
        out << indent;
    }
    out.write(text.data() + from, static_cast<std::streamsize>(text.size() - from));
}

}  // namespace

void write_zones_document(std::ostream& out, const nlohmann::json& head, size_t n,
                          const std::function<nlohmann::json(size_t)>& zone) {
    if (!head.is_object() || head.empty() || head.contains("zones"))
        throw std::invalid_argument("write_zones_document: head must be an object without zones");
    // "{\n  ...last key\n}": keep all but the closing brace, then the zones as its last key.
    const std::string h = head.dump(2);
    out.write(h.data(), static_cast<std::streamsize>(h.size() - 2));
    out << ",\n  \"zones\": [";
    if (n == 0) {
        out << "]\n}\n";
        return;
    }
    for (size_t i = 0; i < n; ++i) {
        out << (i == 0 ? "\n    " : ",\n    ");
        write_indented(out, zone(i).dump(2), "    ");
    }
    out << "\n  ]\n}\n";
}

}  // namespace nswatch
