#include "config/zone_list_file.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/names.hpp"
#include "config/yaml_fields.hpp"

namespace nswatch {

namespace {

using config_detail::quote_value;

const std::string kSettingsHelp =
    "after the zone name a line takes primary=NS-NAME and static nameservers "
    "NS-NAME=ADDRESS[,ADDRESS...][;provider=NAME][;port=N]";

/// A word of the line and the 1-based column it starts at.
struct Token {
    std::string_view text;
    int column;
};

// '\r' too: a file written on Windows ends its lines in "\r\n".
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::vector<Token> split_words(std::string_view line) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        const size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        if (i > start) out.push_back({line.substr(start, i - start), static_cast<int>(start) + 1});
    }
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (true) {
        const size_t end = text.find(separator, start);
        out.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos) return out;
        start = end + 1;
    }
}

/// Reads one line's zone; every error is thrown at this line.
class LineReader {
  public:
    LineReader(const std::string& source, int line) : source_(source), line_(line) {}

    [[noreturn]] void fail(int column, const std::string& message) const {
        throw ConfigError(source_, line_, column, message);
    }

    std::string name(const Token& t, std::string_view text, std::string_view what) const {
        std::string why;
        auto name = normalize_domain_name(text, &why);
        if (!name)
            fail(t.column, quote_value(text) + " is not a valid " + std::string(what) + ": " + why);
        return *name;
    }

    ZoneConfig zone(const std::vector<Token>& words) const {
        ZoneConfig zone;
        zone.name = name(words[0], words[0].text, "zone name");
        std::vector<StaticNameserver> servers;
        std::vector<int> server_columns;
        std::optional<Token> primary;
        for (size_t i = 1; i < words.size(); ++i) {
            const Token& t = words[i];
            const size_t eq = t.text.find('=');
            if (eq == std::string_view::npos) {
                fail(t.column, quote_value(t.text) + " is not a setting: one zone per line, and " +
                                   kSettingsHelp);
            }
            const std::string_view key = t.text.substr(0, eq);
            const std::string_view value = t.text.substr(eq + 1);
            if (key == "primary") {
                if (primary) {
                    fail(t.column, "primary is given twice (first at column " +
                                       std::to_string(primary->column) + ")");
                }
                primary = t;
                zone.primary = name(t, value, "primary nameserver name");
                continue;
            }
            if (key.find('.') == std::string_view::npos && !normalize_ip_literal(key)) {
                // Nameserver names have a dot; a bare word is a mistyped setting.
                std::string message = "unknown setting " + quote_value(key);
                if (auto close = closest_match(key, {"primary"})) {
                    message += ": did you mean '" + *close + "'?";
                }
                fail(t.column, message + " (" + kSettingsHelp + ")");
            }
            StaticNameserver ns = nameserver(t, key, value);
            for (size_t k = 0; k < servers.size(); ++k) {
                if (servers[k].name == ns.name) {
                    fail(t.column, "nameserver '" + ns.name +
                                       "' is listed twice (first at column " +
                                       std::to_string(server_columns[k]) +
                                       "); list all its addresses in one entry");
                }
            }
            servers.push_back(std::move(ns));
            server_columns.push_back(t.column);
        }
        if (primary && !servers.empty() &&
            std::none_of(servers.begin(), servers.end(),
                         [&](const StaticNameserver& ns) { return ns.name == zone.primary; })) {
            std::vector<std::string_view> names;
            for (const auto& ns : servers) names.push_back(ns.name);
            std::string message =
                "primary '" + zone.primary + "' is not one of the zone's static nameservers";
            if (auto close = closest_match(zone.primary, names)) {
                message += ": did you mean '" + *close + "'?";
            }
            fail(primary->column, message);
        }
        if (!servers.empty()) zone.nameservers = std::move(servers);
        return zone;
    }

  private:
    StaticNameserver nameserver(const Token& t, std::string_view key,
                                std::string_view value) const {
        StaticNameserver ns;
        if (normalize_ip_literal(key)) {
            fail(t.column,
                 quote_value(key) + " is an address, not a nameserver name: write NS-NAME=ADDRESS");
        }
        ns.name = name(t, key, "nameserver name");
        const std::vector<std::string_view> parts = split(value, ';');
        if (parts[0].empty()) {
            fail(t.column, "static nameserver '" + ns.name + "' has no addresses: write " +
                               ns.name + "=ADDRESS[,ADDRESS...]");
        }
        for (std::string_view text : split(parts[0], ',')) {
            auto address = normalize_ip_literal(text);
            if (!address) {
                fail(t.column, "nameserver '" + ns.name + "': " + quote_value(text) +
                                   " is not an IPv4 or IPv6 address");
            }
            if (std::find(ns.addresses.begin(), ns.addresses.end(), *address) !=
                ns.addresses.end()) {
                fail(t.column,
                     "nameserver '" + ns.name + "': address " + *address + " is listed twice");
            }
            ns.addresses.push_back(std::move(*address));
        }
        bool has_provider = false, has_port = false;
        for (size_t i = 1; i < parts.size(); ++i) {
            const size_t eq = parts[i].find('=');
            const std::string_view key = parts[i].substr(0, eq);
            const std::string_view setting =
                eq == std::string_view::npos ? std::string_view() : parts[i].substr(eq + 1);
            if (key == "provider" && eq != std::string_view::npos) {
                if (has_provider)
                    fail(t.column, "nameserver '" + ns.name + "': provider is given twice");
                if (setting.empty())
                    fail(t.column, "nameserver '" + ns.name + "': provider is empty");
                if (setting.size() > config_detail::kMaxSettingBytes) {
                    fail(t.column, "nameserver '" + ns.name + "': provider " +
                                       quote_value(setting) + " is too long");
                }
                ns.provider = std::string(setting);
                has_provider = true;
            } else if (key == "port" && eq != std::string_view::npos) {
                if (has_port) fail(t.column, "nameserver '" + ns.name + "': port is given twice");
                unsigned port = 0;
                auto [end, ec] =
                    std::from_chars(setting.data(), setting.data() + setting.size(), port);
                if (ec != std::errc() || end != setting.data() + setting.size() || port < 1 ||
                    port > 65535) {
                    fail(t.column, "nameserver '" + ns.name + "': port " + quote_value(setting) +
                                       " is not a whole number between 1 and 65535");
                }
                ns.port = static_cast<uint16_t>(port);
                has_port = true;
            } else {
                fail(t.column, "nameserver '" + ns.name + "': unknown setting " +
                                   quote_value(parts[i]) +
                                   " (after the addresses: ;provider=NAME and ;port=N)");
            }
        }
        return ns;
    }

    const std::string& source_;
    int line_;
};

}  // namespace

void read_zone_list(std::istream& in, const std::string& source,
                    const std::function<void(ZoneConfig&&, int)>& add) {
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.size() > config_detail::kMaxLineBytes) {
            throw ConfigError(
                source, number, 1,
                "line is " + std::to_string(line.size()) + " bytes long, more than the " +
                    std::to_string(config_detail::kMaxLineBytes) + " a zone-list line may have");
        }
        // A byte order mark some editors write; removed, so that columns count from the name.
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
        const std::string_view text = std::string_view(line).substr(0, line.find('#'));
        const std::vector<Token> words = split_words(text);
        if (words.empty()) continue;
        add(LineReader(source, number).zone(words), number);
    }
    if (in.bad()) throw ConfigError(source, 0, 0, "cannot read the zone list");
}

}  // namespace nswatch
