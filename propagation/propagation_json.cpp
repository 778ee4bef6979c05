#include "propagation/propagation_json.hpp"

#include <map>
#include <tuple>

namespace nswatch {

nlohmann::json last_propagation_json(const std::vector<PropagationRecord>& recent) {
    using Key = std::tuple<std::string, std::string, std::string>;
    std::map<Key, nlohmann::json> newest;
    for (const auto& run : recent) {
        for (const auto& p : run.providers) {
            Key key{run.zone, p.provider, p.vantage};
            if (newest.count(key) != 0) continue;  // newest first: the first seen wins
            newest[key] = {
                {"zone", run.zone},
                {"provider", p.provider},
                {"vantage", p.vantage},
                {"serial", run.serial ? nlohmann::json(*run.serial) : nlohmann::json()},
                {"trigger", run.trigger},
                {"started_unix_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                        run.started.time_since_epoch())
                                        .count()},
                {"seconds", p.seconds ? nlohmann::json(*p.seconds) : nlohmann::json()},
                {"served", std::to_string(p.served) + "/" + std::to_string(p.addresses)},
                {"slowest_address", p.slowest_address},
                {"end_reason", run.end_reason}};
        }
    }
    nlohmann::json out = nlohmann::json::array();
    for (auto& [_, j] : newest) out.push_back(std::move(j));
    return out;
}

}  // namespace nswatch
