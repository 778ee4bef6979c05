#include "cli/one_shot_setup.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "catalog/catalog_members.hpp"
#include "catalog/catalog_source.hpp"
#include "config/names.hpp"
#include "daemon/preflight.hpp"

namespace nswatch {

namespace {

// zones_from.catalog: the members as the daemon would watch them now, from one AXFR. A catalog
// that cannot be read is an error: checking the file's zones alone would look like success.
void add_catalog_once(Config& config, const std::string& path) {
    const CatalogSettings& c = config.inventory.catalog;
    if (c.name.empty()) return;
    std::optional<TsigKey> key;
    if (!c.key.empty()) {
        if (const TsigKey* k = config.find_key(c.key)) key = *k;
    }
    std::vector<CatalogMember> members;
    try {
        members = CatalogSource::members_once(c, key);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": zones_from.catalog " + c.name + ": " + e.what());
    }
    const MemberMerge m = add_catalog_members(config, members);
    spdlog::info("catalog {}: {} member zones{}", c.name, m.added,
                 m.other_shard > 0 ? " (" + std::to_string(m.other_shard) + " of other shards)"
                                   : std::string());
}

}  // namespace

Config one_shot_config(const OneShotOptions& o) {
    Config config = o.config_path.empty() ? Config{} : load_config_file(o.config_path);
    if (!o.root_hints.empty()) config.root_hints = o.root_hints;
    if (!o.timeout.empty()) {
        try {
            config.probe.timeout = parse_duration(o.timeout);
        } catch (const std::exception& e) {
            throw std::runtime_error("--timeout '" + o.timeout + "': " + e.what());
        }
    }
    if (o.no_ipv6) config.probe.ipv6 = false;
    add_catalog_once(config, o.config_path);
    // A source address or interface this machine lacks would otherwise read as every server
    // failing (network_error): say so before probing.
    if (const auto problems = preflight(config, false); !problems.empty()) {
        std::string text = problems.front();
        for (size_t i = 1; i < problems.size(); ++i) text += "; " + problems[i];
        throw std::runtime_error(o.config_path + ": " + text);
    }
    return config;
}

std::vector<std::string> one_shot_zones(const std::vector<std::string>& named, const Config& config,
                                        std::string_view verb) {
    std::vector<std::string> zones;
    for (const auto& z : named) {
        std::string why;
        auto name = normalize_domain_name(z, &why);
        if (!name) throw std::runtime_error("zone '" + z + "': " + why);
        zones.push_back(*name);
    }
    if (zones.empty()) {
        for (const auto& z : config.zones) zones.push_back(z.name);
    }
    if (zones.empty()) {
        throw std::runtime_error("no zone to " + std::string(verb) +
                                 ": name one, or give -c CONFIG with zones");
    }
    return zones;
}

}  // namespace nswatch
