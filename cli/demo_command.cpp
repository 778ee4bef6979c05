#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"

#ifndef NSWATCH_SOURCE_DIR
#define NSWATCH_SOURCE_DIR "."
#endif

namespace nswatch {

namespace {

// The lab script ships in the source tree; NSWATCH_LAB_SCRIPT points elsewhere for an installed
// copy.
std::string lab_script() {
    if (const char* env = std::getenv("NSWATCH_LAB_SCRIPT")) return env;
    return std::string(NSWATCH_SOURCE_DIR) + "/tests/lab/lab.sh";
}

int run(const std::vector<std::string>& argv) {
    const pid_t pid = fork();
    if (pid < 0) return 127;
    if (pid == 0) {
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

}  // namespace

int run_demo(const DemoArgs& args) {
    if (geteuid() != 0) {
        std::cerr
            << "nswatch demo: the lab adds loopback addresses and binds port 53: run as root\n";
        return 3;
    }
    std::string dir = args.lab_dir;
    if (dir.empty()) {
        char tmpl[] = "/tmp/nswatch-demo-XXXXXX";
        if (mkdtemp(tmpl) == nullptr) {
            std::cerr << "nswatch demo: cannot create a temporary directory\n";
            return 3;
        }
        dir = tmpl;
    }
    std::cerr
        << "nswatch demo: starting the lab (BIND primary, NSD and Knot secondaries, a private "
           "root and TLD) in "
        << dir << "\n";
    if (run({"bash", lab_script(), "up", dir}) != 0) {
        std::cerr << "nswatch demo: the lab did not start; see " << dir << "/logs\n";
        run({"bash", lab_script(), "down", dir});
        return 3;
    }
    std::cerr << "nswatch demo: nswatch check shop.test --root-hints " << dir << "/root.hints\n\n";
    std::vector<std::string> check = {"/proc/self/exe", "check", "shop.test", "--root-hints",
                                      dir + "/root.hints"};
    // Re-exec ourselves rather than calling run_check in-process: exactly what a user would type.
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        check[0] = self;
    }
    if (args.json) check.push_back("--json");
    const int rc = run(check);

    if (args.daemon_seconds > 0 && !args.json) {
        // The daemon on the same lab: a change on the primary half-way shows up as a new serial
        // reaching every provider, and the history it wrote is read back by `status`.
        const std::string cfg = dir + "/nswatch-demo.yml";
        {
            std::ofstream out(cfg);
            out << "root_hints: " << dir << "/root.hints\n"
                << "probe: {timeout: 500ms, interval: 2s, tcp_every: 1}\n"
                << "storage: {path: " << dir << "/history.db}\n"
                << "http: {listen: '127.0.0.1:10053'}\n"
                << "zones:\n  - {name: shop.test, primary: ns1.alpha-dns.test}\n";
        }
        std::cerr << "\nnswatch demo: nswatch run -c " << cfg << "  for " << args.daemon_seconds
                  << " s (status page: http://127.0.0.1:10053/ , metrics: /metrics)\n";
        const pid_t daemon = fork();
        if (daemon == 0) {
            execl(check[0].c_str(), check[0].c_str(), "run", "-c", cfg.c_str(),
                  static_cast<char*>(nullptr));
            _exit(127);
        }
        sleep(static_cast<unsigned>(args.daemon_seconds / 2));
        std::cerr << "nswatch demo: changing shop.test on the primary (NOTIFY + IXFR follow)\n";
        run({"bash", lab_script(), "bump", dir});
        sleep(static_cast<unsigned>(args.daemon_seconds - args.daemon_seconds / 2));
        kill(daemon, SIGTERM);
        waitpid(daemon, nullptr, 0);
        std::cerr << "\nnswatch demo: nswatch status --db " << dir << "/history.db --since 10m\n\n";
        run({check[0], "status", "--db", dir + "/history.db", "--since", "10m"});
    }
    if (args.keep_running) {
        std::cerr << "nswatch demo: lab left running; stop it with: bash " << lab_script()
                  << " down " << dir << "\n";
    } else {
        run({"bash", lab_script(), "down", dir});
        if (args.lab_dir.empty()) std::filesystem::remove_all(dir);
    }
    return rc;
}

}  // namespace nswatch
