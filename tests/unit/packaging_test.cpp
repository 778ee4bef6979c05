// Tests for packaging/: the config installed as /etc/nswatch/nswatch.yml and the systemd unit
// agree on where the service may write (StateDirectory= vs storage.path and the alert state), and
// the installed config loads; the daemon refuses it with a plain message until a zone is added.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "alerts/alert_engine.hpp"
#include "config/config.hpp"

using namespace nswatch;
namespace fs = std::filesystem;

namespace {

const fs::path kPackaging = fs::path(NSWATCH_SOURCE_DIR) / "packaging";

// The unit's [Service] settings, key -> value (the last one of a repeated key).
std::map<std::string, std::string> service_settings() {
    std::ifstream in(kPackaging / "nswatch.service.in");
    REQUIRE(in);
    std::map<std::string, std::string> settings;
    std::string line, section;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '[') {
            section = line;
            continue;
        }
        const auto eq = line.find('=');
        if (section == "[Service]" && eq != std::string::npos)
            settings[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return settings;
}

bool is_inside(const fs::path& file, const fs::path& dir) {
    const auto rel = file.lexically_normal().lexically_relative(dir);
    return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

TEST_CASE("the installed config keeps everything it writes in the unit's state directory",
          "[packaging]") {
    const auto unit = service_settings();
    REQUIRE(unit.at("StateDirectory") == "nswatch");
    const fs::path state_dir = "/var/lib/nswatch";
    CHECK(unit.at("WorkingDirectory") == state_dir.string());
    CHECK(unit.at("DynamicUser") == "yes");
    CHECK(unit.at("ProtectSystem") == "strict");

    const Config config = load_config_file((kPackaging / "nswatch.yml").string());
    CHECK(config.storage.path == "/var/lib/nswatch/history.db");
    CHECK(is_inside(config.storage.path, state_dir));
    const std::string alert_state = alert_state_path(config.alerts, config.storage.path);
    CHECK(is_inside(alert_state, state_dir));
    CHECK(config.zones.empty());
}

TEST_CASE("the unit runs the daemon on the installed config and reloads it by SIGHUP",
          "[packaging]") {
    const auto unit = service_settings();
    CHECK(unit.at("ExecStart") == "@NSWATCH_BIN@ run -c @NSWATCH_CONFIG_FILE@");
    CHECK(unit.at("ExecReload") == "/bin/kill -HUP $MAINPID");
    // Exit 3 is a configuration error: the unit does not restart into the same error.
    CHECK(unit.at("RestartPreventExitStatus") == "3");
}

TEST_CASE("the daemon refuses the installed config until it names a zone", "[packaging]") {
    LoadOptions daemon;
    daemon.require_zones = true;
    std::string message;
    try {
        load_config_file((kPackaging / "nswatch.yml").string(), daemon);
    } catch (const std::exception& e) {
        message = e.what();
    }
    INFO(message);
    CHECK(message.find("nswatch.yml") != std::string::npos);
    CHECK(message.find("zone") != std::string::npos);
}
