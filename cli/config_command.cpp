#include "cli/config_command.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "daemon/preflight.hpp"

namespace nswatch {

int run_config_check(const std::string& config_path, bool json) {
    LoadOptions lo;
    lo.require_zones = true;
    Config c;
    std::vector<std::string> problems;
    try {
        c = load_config_file(config_path, lo);
        problems = preflight(c, true);
    } catch (const std::exception& e) {
        problems.push_back(e.what());
    }
    if (json) {
        nlohmann::json j{{"config", config_path}, {"ok", problems.empty()}, {"problems", problems}};
        if (problems.empty()) {
            j["zones"] = c.zones.size();
            j["vantages"] = c.vantages.size();
            j["alert_channels"] = c.alerts.channels.size();
        }
        std::cout << j.dump(2) << "\n";
        return problems.empty() ? 0 : 3;
    }
    if (!problems.empty()) {
        for (const auto& p : problems) std::cerr << "nswatch config check: " << p << "\n";
        return 3;
    }
    std::cout << config_path << ": OK: " << c.zones.size() << " zones, " << c.vantages.size()
              << " vantages, " << c.alerts.channels.size() << " alert channels";
    if (c.http.enabled && !c.http.listen.empty()) std::cout << ", HTTP on " << c.http.listen[0];
    if (!c.storage.path.empty()) std::cout << ", history in " << c.storage.path;
    std::cout << "\n";
    return 0;
}

}  // namespace nswatch
