// A page as a browser builds it: headless Chromium (Debian `chromium`, installed by
// scripts/bootstrap.sh) loads a URL and prints the DOM it built. Its profile lives in a temporary
// directory removed afterwards.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "temp_dir.hpp"

namespace nswatch::test {

struct ChromiumPage {
    bool exited = false;  ///< exited, not killed by a signal (a hung one: `timeout` makes it 124)
    int exit_code = -1;   ///< its exit code when it exited
    std::string dom;      ///< the DOM as `--dump-dom` printed it
};

inline ChromiumPage chromium_dump_dom(const std::string& url) {
    const TempDir profile("nswatch-chromium");
    // --no-sandbox: tests may run as root, where Chromium refuses its sandbox. No background
    // networking: this machine has no network, and Chromium would otherwise try (and retry) to
    // reach its update and sync services on every start.
    const std::string command =
        "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic "
        "--no-first-run --disable-background-networking --disable-component-update "
        "--disable-sync --user-data-dir=" +
        profile.path.string() + " --dump-dom '" + url + "' 2>/dev/null";
    ChromiumPage page;
    FILE* p = popen(command.c_str(), "r");
    if (p == nullptr) return page;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) page.dom.append(buf, n);
    const int status = pclose(p);
    page.exited = WIFEXITED(status);
    if (page.exited) page.exit_code = WEXITSTATUS(status);
    return page;
}

}  // namespace nswatch::test
