// The zones section: each zone, the names watched in it and its static nameservers (its
// threshold overrides are read with the global thresholds, in loader_probe.cpp).
#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/yaml_fields.hpp"
#include "dns/dns_name.hpp"

namespace nswatch::config_detail {

std::string Loader::domain_name(const Field& field, std::string_view what) const {
    std::string text = in_.string(field, std::string(what) + " (a domain name)");
    std::string why;
    auto name = normalize_domain_name(text, &why);
    if (!name) {
        in_.fail(field, quote_value(text) + " is not a valid " + std::string(what) + ": " + why);
    }
    return *name;
}

namespace {

std::string key_of(const StaticNameserver& ns) {
    std::string k = ns.name;
    for (const auto& a : ns.addresses) (k += '\1') += a;
    ((k += '\0') += ns.provider) += '\0';
    k += std::to_string(ns.port);
    return k += '\2';
}

std::string key_of(const WatchName& w) {
    std::string k = w.name;
    k += '\0';
    for (uint16_t t : w.types) k += std::to_string(t) + ',';
    return k += '\2';
}

/// Equal lists of different zones become one shared list: many zones list the same servers (all
/// of a provider's customers), and a list per zone would be ~0.6 KiB of a large config.
template <typename T>
void share_equal(SharedVector<T>& list, std::unordered_map<std::string, SharedVector<T>>& seen) {
    if (list.empty()) return;
    std::string key;
    for (const auto& item : list) key += key_of(item);
    auto [it, inserted] = seen.emplace(std::move(key), list);
    if (!inserted) list = it->second;
}

}  // namespace

ZoneSink::ZoneSink(std::string main_source) {
    files_.push_back(std::move(main_source));
    watch_lists_.emplace(key_of(shared_default_watch().front()), shared_default_watch());
}

uint32_t ZoneSink::add_file(std::string path) {
    files_.push_back(std::move(path));
    return static_cast<uint32_t>(files_.size() - 1);
}

void ZoneSink::add(Config& config, ZoneConfig&& zone, uint32_t file, int line, int column) {
    share_equal(zone.nameservers, server_lists_);
    share_equal(zone.watch, watch_lists_);
    config.zones.push_back(std::move(zone));
    at_.push_back({file, line, column});
}

void ZoneSink::reserve(Config& config, size_t more) {
    // At least doubling: a directory of many small fragments reserves once per fragment, and
    // exact growth would move every zone read so far at each one.
    const size_t needed = config.zones.size() + more;
    if (needed <= config.zones.capacity()) return;
    const size_t grown = std::max(needed, 2 * config.zones.capacity());
    config.zones.reserve(grown);
    at_.reserve(grown);
}

void ZoneSink::drop_from(Config& config, size_t first) {
    config.zones.erase(config.zones.begin() + static_cast<std::ptrdiff_t>(first),
                       config.zones.end());
    at_.resize(first);
}

std::string ZoneSink::where(const At& at) const {
    return files_[at.file] + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

void ZoneSink::check_unique(const std::vector<ZoneConfig>& zones) const {
    // Sorted by name, then reading order: a zone listed twice is a run of equal names, and its
    // second entry is where the mistake is reported (the first one in reading order of all).
    std::vector<uint32_t> order(zones.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        const int c = zones[a].name.compare(zones[b].name);
        return c != 0 ? c < 0 : a < b;
    });
    std::optional<std::pair<uint32_t, uint32_t>> first;  // (first listing, second listing)
    for (size_t k = 1; k < order.size(); ++k) {
        if (zones[order[k]].name != zones[order[k - 1]].name) continue;
        if (k >= 2 && zones[order[k - 2]].name == zones[order[k]].name) continue;  // a third one
        if (!first || order[k] < first->second) first = {order[k - 1], order[k]};
    }
    if (!first) return;
    const At& again = at_[first->second];
    throw ConfigError(files_[again.file], again.line, again.column,
                      "duplicate zone '" + zones[first->second].name + "' (also listed at " +
                          where(at_[first->first]) + "); each zone may appear once");
}

void Loader::read_zones(const Field& field, Config& config, ZoneSink& sink, uint32_t file) const {
    SeenZones seen;
    for (const auto& item : in_.list(field, "[{name: shop.test}]")) {
        add_listed_zone(item, config, sink, file, seen);
    }
}

void Loader::read_zones_list(const Field& field, const ZoneCut* cut, const std::string& yaml,
                             Config& config, ZoneSink& sink, uint32_t file) const {
    if (cut != nullptr) {
        read_zones_cut(field, *cut, yaml, config, sink, file);
    } else {
        read_zones(field, config, sink, file);
    }
}

void Loader::read_zones_cut(const Field& field, const ZoneCut& cut, const std::string& yaml,
                            Config& config, ZoneSink& sink, uint32_t file) const {
    SeenZones seen;
    seen.reserve(cut.items.size());
    sink.reserve(config, cut.items.size());
    for (size_t i = 0; i < cut.items.size(); ++i) {
        const ZoneItem& at = cut.items[i];
        YAML::Node list;
        try {
            list = YAML::Load(yaml.substr(at.begin, at.end - at.begin));
        } catch (const YAML::Exception&) {
            throw ZoneCutUnsure{};
        }
        // One item, with a position of its own: an empty item ("-" alone) is reported at the
        // list's position, which only the whole document has.
        if (!list.IsSequence() || list.size() != 1) throw ZoneCutUnsure{};
        const YAML::Node item = *list.begin();
        if (item.IsNull()) throw ZoneCutUnsure{};
        Reader::LinesBefore shift(in_, at.line);
        add_listed_zone(Field{item, field.path + "[" + std::to_string(i) + "]", item.Mark()},
                        config, sink, file, seen);
    }
}

void Loader::add_listed_zone(const Field& item, Config& config, ZoneSink& sink, uint32_t file,
                             SeenZones& seen) const {
    Field name_field = item;
    ZoneConfig zone = read_zone(item, config, name_field);
    const YAML::Mark mark = name_field.mark();
    const int line = in_.file_line(mark) + 1;
    const int column = mark.column + 1;
    if (auto [it, inserted] = seen.try_emplace(zone.name, line, column); !inserted) {
        in_.fail(name_field, "duplicate zone '" + zone.name + "' (first defined at " +
                                 std::to_string(it->second.first) + ":" +
                                 std::to_string(it->second.second) +
                                 "); each zone may appear once");
    }
    sink.add(config, std::move(zone), file, line, column);
}

ZoneConfig Loader::read_zone(const Field& field, const Config& config, Field& name_field) const {
    ZoneConfig zone;
    if (field.value.IsScalar()) {
        // Shorthand "- shop.test": a zone with every default.
        zone.name = domain_name(field, "zone name");
        return zone;
    }
    MapFields m =
        in_.map(field, {"name", "primary", "watch", "nameservers", "thresholds", "reference"});
    name_field = in_.require(m, "name", "every zone needs a name, e.g. name: shop.test");
    zone.name = domain_name(name_field, "zone name");
    if (const Field* f = m.get("watch")) zone.watch = read_watch(*f, zone.name);
    if (const Field* f = m.get("nameservers")) zone.nameservers = read_nameservers(*f);
    if (const Field* f = m.get("primary")) {
        zone.primary = domain_name(*f, "primary nameserver name");
        if (!zone.nameservers.empty()) {
            std::vector<std::string_view> names;
            for (const auto& ns : zone.nameservers) names.push_back(ns.name);
            if (std::find(names.begin(), names.end(), zone.primary) == names.end()) {
                std::string message =
                    "primary '" + zone.primary + "' is not one of the zone's static nameservers";
                if (auto close = closest_match(zone.primary, names)) {
                    message += ": did you mean '" + *close + "'?";
                }
                in_.fail(*f, message);
            }
        }
    }
    if (const Field* f = m.get("thresholds")) {
        zone.thresholds = read_overrides(*f, config.thresholds);
    }
    if (const Field* f = m.get("reference")) zone.reference = read_reference(*f, config);
    return zone;
}

ReferenceSettings Loader::read_reference(const Field& field, const Config& config) const {
    MapFields m = in_.map(field, {"file", "primary", "port", "key", "source", "every",
                                  "compare_ttl", "negative_per_round"});
    ReferenceSettings r;
    const Field* file = m.get("file");
    const Field* primary = m.get("primary");
    if ((file == nullptr) == (primary == nullptr)) {
        in_.fail(field,
                 "a reference needs exactly one of 'file' (a zone file) and 'primary' (the "
                 "address of a hidden primary to transfer the zone from)");
    }
    if (file != nullptr) {
        std::filesystem::path p = in_.string(*file, "the path of a zone file");
        if (p.is_relative() && !base_dir_.empty()) p = base_dir_ / p;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(p, ec)) {
            in_.fail(*file, "zone file '" + p.string() + "' does not exist or is not a file");
        }
        r.file = p.string();
        for (const char* k : {"port", "key", "source"}) {
            if (const Field* f = m.get(k)) {
                in_.fail(*f, std::string("'") + k + "' applies to a 'primary', not to a 'file'");
            }
        }
    } else {
        r.primary.server = in_.string(*primary, "an IP address");
        if (!normalize_ip_literal(r.primary.server)) {
            in_.fail(*primary, "'" + r.primary.server + "' is not an IP address");
        }
        if (const Field* f = m.get("port")) {
            r.primary.port = static_cast<uint16_t>(in_.integer(*f, 1, 65535));
        }
        if (const Field* f = m.get("key")) {
            r.primary.key =
                canonical_name(in_.string(*f, "the name of a key defined under 'keys'"));
            if (config.find_key(r.primary.key) == nullptr) {
                in_.fail(*f, "no key named '" + r.primary.key + "' under 'keys'");
            }
        }
        if (const Field* f = m.get("source")) {
            r.primary.source = in_.string(*f, "a local IP address");
            if (!normalize_ip_literal(r.primary.source)) {
                in_.fail(*f, "'" + r.primary.source + "' is not an IP address");
            }
        }
    }
    if (const Field* f = m.get("every")) {
        r.every = in_.duration(*f, std::chrono::minutes(1), std::chrono::hours(24 * 7));
    }
    if (const Field* f = m.get("compare_ttl")) r.compare_ttl = in_.boolean(*f);
    if (const Field* f = m.get("negative_per_round")) {
        r.negative_per_round = static_cast<int>(in_.integer(*f, 0, 100));
    }
    return r;
}

std::vector<WatchName> Loader::read_watch(const Field& field, const std::string& zone) const {
    std::vector<WatchName> watch = default_watch();
    std::map<std::string, Field> seen;
    for (const auto& item : in_.list(field, "[{name: www, types: [A, AAAA]}]")) {
        WatchName entry = read_watch_entry(item, zone);
        if (auto [it, inserted] = seen.emplace(entry.name, item); !inserted) {
            in_.fail(item, "'" + entry.owner(zone) + "' is watched twice (first at line " +
                               in_.line_of(it->second) + "); list all its types in one entry");
        }
        if (entry.name == "@") {
            // An explicit apex entry replaces the default one, and stays first.
            watch.front() = std::move(entry);
        } else {
            watch.push_back(std::move(entry));
        }
    }
    return watch;
}

WatchName Loader::read_watch_entry(const Field& field, const std::string& zone) const {
    WatchName entry;
    if (field.value.IsScalar()) {
        // Shorthand "- www": the name's addresses.
        entry.name = read_watch_name(field, zone);
        entry.types =
            entry.name == "@" ? default_watch().front().types : std::vector<uint16_t>{1, 28};
        return entry;
    }
    MapFields m = in_.map(field, {"name", "types"});
    entry.name = read_watch_name(
        in_.require(m, "name", "the owner name to watch, e.g. name: www (\"@\" for the apex)"),
        zone);
    const Field* types = m.get("types");
    if (types == nullptr) {
        entry.types =
            entry.name == "@" ? default_watch().front().types : std::vector<uint16_t>{1, 28};
        return entry;
    }
    auto items = in_.list(*types, "[A, AAAA]");
    if (items.empty()) in_.fail(*types, "the list is empty; name at least one RR type");
    for (const auto& t : items) {
        std::string text = in_.string(t, "an RR type such as A or AAAA");
        auto type = watch_type_from_name(text);
        if (!type) {
            std::string message = "unknown RR type '" + text + "'";
            if (auto close = closest_match(text, watch_type_names())) {
                message += ": did you mean '" + *close + "'?";
            }
            std::string supported;
            for (auto name : watch_type_names()) {
                supported += (supported.empty() ? "" : ", ") + std::string(name);
            }
            in_.fail(t, message + " (supported: " + supported + ")");
        }
        // A repeated type is harmless: keep the first.
        if (std::find(entry.types.begin(), entry.types.end(), *type) == entry.types.end()) {
            entry.types.push_back(*type);
        }
    }
    return entry;
}

std::string Loader::read_watch_name(const Field& field, const std::string& zone) const {
    std::string text = in_.string(field, "an owner name such as www (\"@\" for the apex)");
    if (text == "@") return "@";
    bool absolute = text.back() == '.';
    std::string why;
    auto name = normalize_domain_name(text, &why, true);
    if (!name) in_.fail(field, "'" + text + "' is not a valid owner name: " + why);
    // Zone-file rules make "www.shop.test" (no dot) mean "www.shop.test.shop.test"; nobody means
    // that, so a name ending in the zone is taken as absolute.
    bool in_zone =
        *name == zone || (name->size() > zone.size() &&
                          name->compare(name->size() - zone.size(), zone.size(), zone) == 0 &&
                          (*name)[name->size() - zone.size() - 1] == '.');
    if (absolute && !in_zone) {
        in_.fail(field, "'" + text + "' is outside the zone '" + zone +
                            "': only names in the zone can be compared across its nameservers");
    }
    if (!in_zone) return *name;
    if (*name == zone) return "@";
    return name->substr(0, name->size() - zone.size() - 1);
}

std::vector<StaticNameserver> Loader::read_nameservers(const Field& field) const {
    auto items = in_.list(field, "[{name: ns1.alpha-dns.test, addresses: [192.0.2.53]}]");
    if (items.empty()) {
        in_.fail(field,
                 "the list is empty; leave 'nameservers' out to discover them from the "
                 "delegation");
    }
    std::vector<StaticNameserver> out;
    std::map<std::string, Field> seen;
    for (const auto& item : items) {
        StaticNameserver ns = read_nameserver(item);
        if (auto [it, inserted] = seen.emplace(ns.name, item); !inserted) {
            in_.fail(item, "nameserver '" + ns.name + "' is listed twice (first at line " +
                               in_.line_of(it->second) + "); list all its addresses in one entry");
        }
        out.push_back(std::move(ns));
    }
    return out;
}

StaticNameserver Loader::read_nameserver(const Field& field) const {
    MapFields m = in_.map(field, {"name", "addresses", "provider", "port"});
    StaticNameserver ns;
    const Field& name = in_.require(m, "name", "the NS name, e.g. name: ns1.alpha-dns.test");
    if (name.value.IsScalar() && normalize_ip_literal(name.value.Scalar())) {
        in_.fail(name, "'" + name.value.Scalar() +
                           "' is an address, not a nameserver name; put it under 'addresses'");
    }
    ns.name = domain_name(name, "nameserver name");
    const Field* addresses = m.get("addresses");
    if (addresses == nullptr || (addresses->value.IsSequence() && addresses->value.size() == 0)) {
        in_.fail(addresses != nullptr ? *addresses : m.whole,
                 "static nameserver '" + ns.name +
                     "' has no addresses: give at least one, e.g. addresses: [192.0.2.53]");
    }
    for (const auto& a : in_.list(*addresses, "[127.53.1.1, \"fd00:53::1:1\"]")) {
        std::string text = in_.string(a, "an IPv4 or IPv6 address");
        auto address = normalize_ip_literal(text);
        if (!address) in_.fail(a, "'" + text + "' is not an IPv4 or IPv6 address");
        if (std::find(ns.addresses.begin(), ns.addresses.end(), *address) != ns.addresses.end()) {
            in_.fail(a, "address " + *address + " is listed twice");
        }
        ns.addresses.push_back(*address);
    }
    if (const Field* f = m.get("provider")) ns.provider = in_.string(*f, "a provider name");
    if (const Field* f = m.get("port")) ns.port = static_cast<uint16_t>(in_.integer(*f, 1, 65535));
    return ns;
}

}  // namespace nswatch::config_detail
