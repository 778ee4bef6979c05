// Test helpers around tests/tools/baddns.cpp, shared by the unit and hostile suites: start one
// nswatch_baddns on a free loopback port, read its log, stop it by pid; and a watchdog that turns
// an engine stall into a failed test instead of a hung suite.
//
// If the test process dies, the server sees its stdin close and exits by itself.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace nswatch::test {

/// One nswatch_baddns process in the given mode, on 127.0.0.1 and a port of its choosing.
class BadDns {
  public:
    /// `extra`: more command-line options (--zone-file FILE, --fault-name NAME).
    explicit BadDns(const std::string& mode, const std::string& zone = "shop.test",
                    const std::vector<std::string>& extra = {}) {
        // The server's stderr goes to a file that is unlinked at once: we read it through our own
        // descriptor, and nothing is left behind even if the test aborts.
        char log_template[] = "/tmp/nswatch-baddns-XXXXXX";
        log_fd_ = mkostemp(log_template, O_CLOEXEC);
        if (log_fd_ < 0) throw std::runtime_error("mkostemp failed");
        unlink(log_template);

        int to_child[2];    // the child's stdin: kept open by us until the destructor
        int from_child[2];  // the child's stdout: "READY <port>"
        if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) {
            fail("pipe2 failed");
        }
        // dup2 clears O_CLOEXEC on the child's copies only: other servers started by this process
        // do not inherit our ends, so each server's stdin closes exactly when its owner goes.
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&actions, log_fd_, STDERR_FILENO);
        const std::string bin = NSWATCH_BADDNS_BIN;
        std::vector<std::string> args = {bin,      "--listen", "127.0.0.1", "--port", "0",
                                         "--mode", mode,       "--zone",    zone};
        args.insert(args.end(), extra.begin(), extra.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const int rc = posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        close(to_child[0]);
        close(from_child[1]);
        stdin_fd_ = to_child[1];
        stdout_fd_ = from_child[0];
        if (rc != 0) {
            pid_ = -1;
            fail("cannot start " + bin + ": " + std::strerror(rc));
        }
        port_ = read_ready();
        if (port_ == 0) fail("baddns --mode " + mode + " did not print READY: " + log());
    }

    ~BadDns() {
        stop();
        close(log_fd_);
    }
    BadDns(const BadDns&) = delete;
    BadDns& operator=(const BadDns&) = delete;

    uint16_t port() const { return port_; }

    /// What the server wrote to stderr so far: one line per query received.
    std::string log() const {
        std::string out;
        char buf[4096];
        ssize_t n = 0;
        // pread: the server shares this file offset through its stderr; do not move it.
        while ((n = pread(log_fd_, buf, sizeof buf, static_cast<off_t>(out.size()))) > 0) {
            out.append(buf, static_cast<size_t>(n));
        }
        return out;
    }

    /// Queries the server received over `transport` ("udp" or "tcp").
    size_t queries(const std::string& transport) const {
        std::istringstream lines(log());
        size_t n = 0;
        for (std::string line; std::getline(lines, line);) {
            if (line.find(" " + transport + " ") != std::string::npos &&
                line.find(" mode=") != std::string::npos) {
                ++n;
            }
        }
        return n;
    }

  private:
    // The destructor does not run for a constructor that throws: clean up here.
    [[noreturn]] void fail(const std::string& why) {
        stop();
        close(log_fd_);
        throw std::runtime_error(why);
    }

    uint16_t read_ready() {
        std::string line;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (line.find('\n') == std::string::npos &&
               std::chrono::steady_clock::now() < deadline) {
            pollfd p{stdout_fd_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[64];
            const ssize_t n = read(stdout_fd_, buf, sizeof buf);
            if (n <= 0) break;  // exited before READY
            line.append(buf, static_cast<size_t>(n));
        }
        unsigned port = 0;
        if (std::sscanf(line.c_str(), "READY %u", &port) != 1 || port > 65535) return 0;
        return static_cast<uint16_t>(port);
    }

    void stop() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            // A server stuck somewhere must not hang the suite: escalate after 2 s.
            int status = 0;
            bool reaped = false;
            for (int i = 0; i < 200 && !reaped; ++i) {
                reaped = waitpid(pid_, &status, WNOHANG) == pid_;
                if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            if (!reaped) {
                kill(pid_, SIGKILL);
                waitpid(pid_, &status, 0);
            }
            pid_ = -1;
        }
        if (stdin_fd_ >= 0) close(stdin_fd_);
        if (stdout_fd_ >= 0) close(stdout_fd_);
        stdin_fd_ = stdout_fd_ = -1;
    }

    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    int log_fd_ = -1;
    uint16_t port_ = 0;
};

/// Aborts the test run if a probe has not come back after `limit`: a stalled engine then fails
/// the test it stalled in (Catch names it on SIGABRT) instead of hanging until ctest's timeout.
class Watchdog {
  public:
    Watchdog(std::string what, std::chrono::seconds limit)
        : thread_([this, what = std::move(what), limit] {
              std::unique_lock lock(mutex_);
              if (!done_cv_.wait_for(lock, limit, [this] { return done_; })) {
                  std::fprintf(stderr, "watchdog: %s still running after %llds: engine stall\n",
                               what.c_str(), static_cast<long long>(limit.count()));
                  std::abort();
              }
          }) {}

    ~Watchdog() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        done_cv_.notify_one();
        thread_.join();
    }

  private:
    std::mutex mutex_;
    std::condition_variable done_cv_;
    bool done_ = false;
    std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace nswatch::test
