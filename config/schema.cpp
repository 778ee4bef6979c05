#include "config/schema.hpp"

#include "config/names.hpp"

namespace nswatch {

std::string WatchName::owner(std::string_view zone) const {
    if (name == "@" || name.empty()) return std::string(zone);
    return name + "." + std::string(zone);
}

Thresholds ThresholdOverrides::apply_to(const Thresholds& global) const {
    Thresholds t = global;
    if (serial_lag_warning) t.serial_lag_warning = *serial_lag_warning;
    if (serial_lag_critical) t.serial_lag_critical = *serial_lag_critical;
    if (rtt_warning) t.rtt_warning = *rtt_warning;
    return t;
}

std::vector<WatchName> default_watch() {
    // SOA and NS catch stale or split zones; A AAAA MX TXT are what users and mail actually use.
    return {WatchName{"@", {6, 2, 1, 28, 15, 16}}};
}

const SharedVector<WatchName>& shared_default_watch() {
    static const SharedVector<WatchName> list(default_watch());
    return list;
}

const ZoneConfig* Config::find_zone(std::string_view name) const {
    std::string why;
    auto normal = normalize_domain_name(name, &why);
    if (!normal) return nullptr;
    for (const auto& zone : zones) {
        if (zone.name == *normal) return &zone;
    }
    return nullptr;
}

const CatalogSettings* ZoneInventory::find_catalog(std::string_view name) const {
    for (const auto& catalog : catalogs) {
        if (catalog.name == name) return &catalog;
    }
    return nullptr;
}

const Vantage* Config::find_vantage(std::string_view name) const {
    for (const auto& vantage : vantages) {
        if (vantage.name == name) return &vantage;
    }
    return nullptr;
}

const Vantage& Config::get_default_vantage() const {
    if (const Vantage* v = find_vantage(default_vantage)) return *v;
    if (!vantages.empty()) return vantages.front();
    // Only reachable for a Config emptied in code: behave as if the default had been kept.
    static const Vantage kernel_chosen{};
    return kernel_chosen;
}

Thresholds Config::thresholds_for(const ZoneConfig& zone) const {
    return zone.thresholds.apply_to(thresholds);
}

}  // namespace nswatch

namespace nswatch {

const TsigKey* Config::find_key(std::string_view name) const {
    for (const auto& key : keys) {
        if (key.name == name) return &key;
    }
    return nullptr;
}

const TransferSettings* Config::find_transfer(std::string_view provider) const {
    for (const auto& t : transfers) {
        if (t.provider == provider) return &t.transfer;
    }
    return nullptr;
}

}  // namespace nswatch
