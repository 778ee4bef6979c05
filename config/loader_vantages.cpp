// The where-from sections: root_hints, and the vantages (source addresses) probes are sent from.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/yaml_fields.hpp"

namespace nswatch::config_detail {

void Loader::read_root_hints(const Field& field, Config& config) const {
    std::filesystem::path path = in_.string(field, "the path of a root hints file");
    if (path.is_relative() && !base_dir_.empty()) path = base_dir_ / path;
    path = path.lexically_normal();
    // Checked now so a typo is reported at its line, not at the first discovery an hour later.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        in_.fail(field, "root hints file '" + path.string() +
                            "' does not exist or is not a regular file (leave root_hints out to "
                            "use the built-in IANA hints)");
    }
    if (!std::ifstream(path)) {
        in_.fail(field,
                 "root hints file '" + path.string() + "' cannot be read: " + std::strerror(errno));
    }
    config.root_hints = path.string();
}

void Loader::read_vantages(const Field& field, Config& config) const {
    auto items = in_.list(field, "[{name: fra1, source_ipv4: 192.0.2.10}]");
    if (items.empty()) {
        in_.fail(field,
                 "the list is empty; leave 'vantages' out to probe from one vantage with "
                 "kernel-chosen source addresses");
    }
    config.vantages.clear();
    std::map<std::string, Field> seen;
    for (const auto& item : items) {
        MapFields m = in_.map(item, {"name", "source_ipv4", "source_ipv6", "interface"});
        Vantage v;
        const Field& name = in_.require(m, "name", "every vantage needs a name");
        v.name = in_.string(name, "a vantage name");
        // The name becomes a metric label value and a CLI argument: keep it to one plain word.
        for (char c : v.name) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
                in_.fail(name, "vantage name '" + v.name +
                                   "' may only contain letters, digits, '-', '_' and '.'");
            }
        }
        if (auto [it, inserted] = seen.emplace(v.name, name); !inserted) {
            in_.fail(name, "duplicate vantage '" + v.name + "' (first at line " +
                               in_.line_of(it->second) + ")");
        }
        if (const Field* f = m.get("source_ipv4")) {
            std::string text = in_.string(*f, "an IPv4 address");
            auto address = normalize_ip_literal(text, 4);
            if (!address) {
                in_.fail(*f, normalize_ip_literal(text, 6)
                                 ? "'" + text + "' is an IPv6 address; put it under source_ipv6"
                                 : "'" + text + "' is not an IPv4 address");
            }
            v.source_ipv4 = *address;
        }
        if (const Field* f = m.get("source_ipv6")) {
            std::string text = in_.string(*f, "an IPv6 address");
            auto address = normalize_ip_literal(text, 6);
            if (!address) {
                in_.fail(*f, normalize_ip_literal(text, 4)
                                 ? "'" + text + "' is an IPv4 address; put it under source_ipv4"
                                 : "'" + text + "' is not an IPv6 address");
            }
            v.source_ipv6 = *address;
        }
        if (const Field* f = m.get("interface")) {
            v.interface = in_.string(*f, "a network interface name such as eth0");
            // IFNAMSIZ is 16 including the terminating NUL.
            bool bad = v.interface.size() > 15 ||
                       std::any_of(v.interface.begin(), v.interface.end(), [](char c) {
                           return c == '/' || std::isspace(static_cast<unsigned char>(c));
                       });
            if (bad) {
                in_.fail(*f, "'" + v.interface +
                                 "' is not a valid interface name (at most 15 characters, no '/' "
                                 "or spaces)");
            }
        }
        config.vantages.push_back(std::move(v));
    }
    config.default_vantage = config.vantages.front().name;
}

void Loader::read_default_vantage(const Field& field, Config& config) const {
    std::string name = in_.string(field, "the name of a vantage");
    if (config.find_vantage(name) == nullptr) {
        std::vector<std::string_view> names;
        for (const auto& v : config.vantages) names.push_back(v.name);
        std::string message = "'" + name + "' is not a defined vantage";
        if (auto close = closest_match(name, names)) message += ": did you mean '" + *close + "'?";
        std::string list;
        for (auto n : names) list += (list.empty() ? "" : ", ") + std::string(n);
        in_.fail(field, message + " (defined vantages: " + list + ")");
    }
    config.default_vantage = name;
}

}  // namespace nswatch::config_detail
