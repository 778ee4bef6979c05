// `nswatch config check -c FILE`: load the config as `nswatch run` would and run its preflight
// (daemon/preflight.hpp), start nothing, create nothing. Exit 0 when it would run, 3 otherwise,
// with the same file:line:col messages as `run`.
#pragma once

#include <string>

namespace nswatch {

int run_config_check(const std::string& config_path, bool json);

}  // namespace nswatch
