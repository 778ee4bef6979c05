// What `nswatch run` and `nswatch config check` verify before anything is started or created: the
// addresses, interfaces, ports and directories the config names exist and can be used here. Each
// problem is one sentence in plain words naming the setting, instead of a library's error after
// database files were already made.
#pragma once

#include <string>
#include <vector>

#include "config/schema.hpp"

namespace nswatch {

/// Problems with `c` on this machine; empty when it can run here. `for_daemon`: also the HTTP
/// listen addresses and the history directory (the one-shot commands use neither).
std::vector<std::string> preflight(const Config& c, bool for_daemon);

}  // namespace nswatch
