// `nswatch diff ZONE -c FILE`: transfer the zone from every provider that allows it to the
// monitor (providers[].transfer) and print a record-level diff of each copy against the first.
//
// Memory: the reference copy is held once (sorted), each other copy is transferred, sorted and
// compared in turn and then dropped, so at most two copies are in memory at once.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "dns/dns_name.hpp"
#include "dns/rr_types.hpp"
#include "zonediff/zone_copy.hpp"
#include "zonediff/zone_diff.hpp"

namespace nswatch {

namespace {

using Copy = ZoneCopy;

std::string serial_text(const Copy& c) {
    return c.serial ? std::to_string(*c.serial) : "?";
}

nlohmann::json record_json(const Record& r) {
    return {{"owner", r.owner}, {"type", rr_type_name(r.type)}, {"ttl", r.ttl}, {"rdata", r.rdata}};
}

void print_text(const Copy& ref, const Copy& other, const std::vector<RRsetDifference>& diffs) {
    std::cout << other.provider << " (" << other.server << ", serial " << serial_text(other) << ", "
              << other.records.size() << " records) against " << ref.provider << ": ";
    if (diffs.empty()) {
        std::cout << "identical (SOA aside)\n";
        return;
    }
    std::cout << diffs.size() << (diffs.size() == 1 ? " RRset differs\n" : " RRsets differ\n");
    for (const auto& d : diffs) {
        std::cout << "  " << to_string(d.kind) << " " << d.owner << " " << rr_type_name(d.type)
                  << "\n";
        for (const auto& r : d.only_reference) {
            std::cout << "    - " << r.ttl << " " << r.rdata << "   (only at " << ref.provider
                      << ")\n";
        }
        for (const auto& r : d.only_other) {
            std::cout << "    + " << r.ttl << " " << r.rdata << "   (only at " << other.provider
                      << ")\n";
        }
    }
}

}  // namespace

int run_diff(const DiffArgs& args) {
    Config config;
    try {
        config = load_config_file(args.config_path);
    } catch (const std::exception& e) {
        std::cerr << "nswatch diff: " << e.what() << "\n";
        return 3;
    }
    const std::string zone = canonical_name(args.zone);
    // Config order, or the order of --provider when given (its first is the reference).
    std::vector<const ProviderTransfer*> chosen;
    if (args.providers.empty()) {
        for (const auto& t : config.transfers) chosen.push_back(&t);
    }
    for (const auto& name : args.providers) {
        const auto it = std::find_if(config.transfers.begin(), config.transfers.end(),
                                     [&](const ProviderTransfer& t) { return t.provider == name; });
        if (it == config.transfers.end()) {
            std::cerr << "nswatch diff: provider '" << name
                      << "' is not in the config or has no transfer: settings\n";
            return 3;
        }
        chosen.push_back(&*it);
    }
    if (chosen.size() < 2) {
        std::cerr << "nswatch diff: need two providers with transfer: settings (providers[]."
                     "transfer.server in the config), found "
                  << chosen.size() << "\n";
        return 3;
    }
    nlohmann::json out{{"zone", zone}, {"providers", nlohmann::json::array()}};
    bool differs = false;
    try {
        const Copy ref = fetch_zone_copy(zone, *chosen.front(), config);
        out["reference"] = {{"provider", ref.provider},
                            {"server", ref.server},
                            {"serial", ref.serial ? nlohmann::json(*ref.serial) : nullptr},
                            {"records", ref.records.size()}};
        if (!args.json) {
            std::cout << zone << ": reference " << ref.provider << " (" << ref.server << ", serial "
                      << serial_text(ref) << ", " << ref.records.size() << " records)\n";
        }
        for (size_t i = 1; i < chosen.size(); ++i) {
            const Copy other = fetch_zone_copy(zone, *chosen[i], config);
            const auto diffs = diff_sorted(ref.records, other.records);
            differs = differs || !diffs.empty();
            if (!args.json) {
                print_text(ref, other, diffs);
                continue;
            }
            nlohmann::json j{{"provider", other.provider},
                             {"server", other.server},
                             {"serial", other.serial ? nlohmann::json(*other.serial) : nullptr},
                             {"records", other.records.size()},
                             {"differences", nlohmann::json::array()}};
            for (const auto& d : diffs) {
                nlohmann::json jd{{"kind", to_string(d.kind)},
                                  {"owner", d.owner},
                                  {"type", rr_type_name(d.type)},
                                  {"only_reference", nlohmann::json::array()},
                                  {"only_provider", nlohmann::json::array()}};
                for (const auto& r : d.only_reference)
                    jd["only_reference"].push_back(record_json(r));
                for (const auto& r : d.only_other) jd["only_provider"].push_back(record_json(r));
                j["differences"].push_back(std::move(jd));
            }
            out["providers"].push_back(std::move(j));
        }
    } catch (const std::exception& e) {
        std::cerr << "nswatch diff: " << e.what() << "\n";
        return 3;
    }
    if (args.json) std::cout << out.dump(2) << "\n";
    return differs ? 1 : 0;
}

}  // namespace nswatch
