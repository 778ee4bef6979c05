// `nswatch silence add|list|remove` and `nswatch alerts`: the operator's side of alerting, working
// on the alert state file the daemon writes (alerts.state_path), safe while the daemon runs.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace nswatch {

struct AlertsCliArgs {
    std::string config_path;            ///< -c FILE: find the state file from the config
    std::string state;                  ///< --state FILE (overrides the config)
    std::vector<std::string> matchers;  ///< --match label=value (repeatable)
    std::string duration = "2h";        ///< --for DURATION
    std::string comment;                ///< --comment TEXT
    int64_t id = 0;                     ///< silence id for remove
    bool all = false;                   ///< list expired silences too
    bool json = false;                  ///< --json
};

/// Adds `silence` (with add/list/remove) and `alerts` to `app`. The returned callback runs the
/// parsed one and returns its exit code, or -1 when neither was parsed.
std::function<int()> add_alerts_commands(CLI::App& app, AlertsCliArgs& args);

}  // namespace nswatch
