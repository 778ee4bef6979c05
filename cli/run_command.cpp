// `nswatch run -c FILE`: the daemon (daemon/daemon.hpp), with the process's signals: SIGHUP
// reloads, SIGTERM and SIGINT drain, commit and exit.
#include <csignal>
#include <iostream>

#include "cli/commands.hpp"
#include "daemon/daemon.hpp"

namespace nswatch {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

extern "C" void on_signal(int sig) {
    if (sig == SIGHUP) {
        g_reload = true;
    } else {
        g_stop = true;
    }
}

}  // namespace

int run_daemon(const RunArgs& args) {
    std::unique_ptr<Daemon> daemon;
    try {
        daemon = std::make_unique<Daemon>(
            DaemonOptions{args.config_path, args.listen, args.db, args.root_hints, args.web_config},
            g_reload);
    } catch (const DaemonStartError& e) {
        for (const auto& p : e.problems()) std::cerr << "nswatch run: " << p << "\n";
        return 3;
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    daemon->run(g_stop);
    return 0;
}

}  // namespace nswatch
