// A `zones_from` entry {catalog: NAME, primary: ADDR, ...}: where the catalog zone is transferred
// from and the zone settings its member groups get. The members themselves are known only at run
// time (catalog/catalog_source.hpp); the loader checks what can be checked without the network.
#include <arpa/inet.h>

#include <string>

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/yaml_fields.hpp"
#include "dns/dns_name.hpp"

namespace nswatch::config_detail {

namespace {

bool is_address(const std::string& s) {
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

/// Stands in for the member's name while a group template is read (read_zone wants a name; the
/// template's watch names are relative, so they fit every member).
constexpr const char* kTemplateName = "group.invalid";

}  // namespace

void Loader::read_catalog_source(const MapFields& m, Config& config) const {
    CatalogSettings c;
    const Field& name = *m.get("catalog");
    c.name = domain_name(name, "catalog zone name");
    const Field& primary = in_.require(
        m, "primary", "the address of the catalog's primary to transfer it from, e.g. 192.0.2.53");
    c.server = in_.string(primary, "an IP address");
    if (!is_address(c.server)) in_.fail(primary, quote_value(c.server) + " is not an IP address");
    if (const Field* f = m.get("port")) c.port = static_cast<uint16_t>(in_.integer(*f, 1, 65535));
    if (const Field* f = m.get("tsig")) {
        c.key = canonical_name(in_.string(*f, "the name of a key defined under 'keys'"));
        if (config.find_key(c.key) == nullptr) {
            in_.fail(*f, "no key named " + quote_value(c.key) + " under 'keys'");
        }
    }
    if (const Field* f = m.get("source")) {
        c.source = in_.string(*f, "a local IP address");
        if (!is_address(c.source)) in_.fail(*f, quote_value(c.source) + " is not an IP address");
    }
    if (const Field* f = m.get("timeout")) {
        c.timeout = in_.duration(*f, std::chrono::milliseconds(100), std::chrono::minutes(10));
    }
    if (const Field* f = m.get("max_members")) c.max_members = in_.integer(*f, 1, 1000000);
    if (const Field* f = m.get("groups")) {
        if (!f->value.IsMap()) in_.fail(*f, "groups is a map of group name to zone settings");
        for (const auto& entry : f->value) {
            const std::string group = entry.first.Scalar();
            const Field item{entry.second, f->path + "." + group, entry.first.Mark()};
            c.groups.emplace(group, read_group_template(item, config));
        }
    }
    config.inventory.catalogs.push_back(std::move(c));
}

ZoneConfig Loader::read_group_template(const Field& field, const Config& config) const {
    if (field.value.IsNull()) return ZoneConfig{};  // "blue:" alone: the defaults
    if (!field.value.IsMap()) {
        in_.fail(field, "a group's settings are a map (primary, watch, nameservers, thresholds)");
    }
    if (field.value["name"]) in_.fail(field, "a group's settings have no name: members name it");
    if (field.value["reference"]) {
        in_.fail(field, "a group's settings have no reference: a reference describes one zone");
    }
    YAML::Node copy = YAML::Clone(field.value);
    copy["name"] = kTemplateName;
    Field named{copy, field.path, field.key_mark};
    Field name_field = named;
    ZoneConfig zone = read_zone(named, config, name_field);
    zone.name.clear();
    return zone;
}

}  // namespace nswatch::config_detail
