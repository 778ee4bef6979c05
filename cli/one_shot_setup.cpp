#include "cli/one_shot_setup.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "catalog/catalog_members.hpp"
#include "catalog/catalog_source.hpp"
#include "config/names.hpp"
#include "daemon/preflight.hpp"

namespace nswatch {

namespace {

// The catalogs of zones_from: the members as the daemon would watch them now, from one AXFR of
// each. A catalog that cannot be read is an error: checking without its zones would look like
// success.
void add_catalogs_once(Config& config, const std::string& path) {
    std::vector<std::vector<CatalogMember>> members;
    for (const CatalogSettings& c : config.inventory.catalogs) {
        std::optional<TsigKey> key;
        if (!c.key.empty()) {
            if (const TsigKey* k = config.find_key(c.key)) key = *k;
        }
        try {
            members.push_back(CatalogSource::members_once(c, key));
        } catch (const std::exception& e) {
            throw std::runtime_error(path + ": zones_from.catalog " + c.name + ": " + e.what());
        }
    }
    const std::vector<MemberMerge> merged = add_catalog_members(config, members);
    for (size_t i = 0; i < merged.size(); ++i) {
        const MemberMerge& m = merged[i];
        spdlog::info("catalog {}: {} member zones{}", config.inventory.catalogs[i].name, m.added,
                     m.other_shard > 0 ? " (" + std::to_string(m.other_shard) + " of other shards)"
                                       : std::string());
        for (const SharedMember& shared : m.in_earlier_catalog) {
            spdlog::warn("zone {}: listed by catalogs {} and {}; taken as a member of {}",
                         shared.zone, shared.kept, shared.skipped, shared.kept);
        }
    }
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
    add_catalogs_once(config, o.config_path);
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
