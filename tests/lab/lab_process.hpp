// What the lab tests share to drive real processes: a child started by fork/exec and stopped by
// its pid (never by name), `nswatch run` as such a child, a one-shot `nswatch` command's exit code
// and output, an HTTP GET of a local listener, a scratch directory (removed when the test passes),
// and polling with a deadline. Header-only; needs libcurl and NSWATCH_BIN.
#pragma once

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#ifndef NSWATCH_BIN
#error "NSWATCH_BIN (the nswatch binary, a string literal) must be defined for the lab tests"
#endif

namespace nswatch::lab {

namespace detail {
inline size_t append_body(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}
}  // namespace detail

/// GET http://LISTEN + PATH; empty on any error or a status other than 200 (e.g. connection
/// refused while the server starts).
inline std::string http_get(const std::string& listen, const std::string& path) {
    CURL* c = curl_easy_init();
    std::string body;
    long code = 0;
    curl_easy_setopt(c, CURLOPT_URL, ("http://" + listen + path).c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, detail::append_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    return rc == CURLE_OK && code == 200 ? body : std::string();
}

namespace detail {
/// The scratch directories made during the running test case.
inline std::vector<std::filesystem::path>& scratch_made() {
    static std::vector<std::filesystem::path> made;
    return made;
}
}  // namespace detail

/// A fresh, empty directory TMP/NAME-PID. It is removed with everything in it when the test case
/// ends without a failed assertion, and kept (its path printed) when one failed, so that the
/// logs and databases of a failure can be read (the listener in lab_main.cpp).
inline std::filesystem::path scratch_dir(const std::string& name) {
    const std::filesystem::path d =
        std::filesystem::temp_directory_path() / (name + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    auto& made = detail::scratch_made();
    if (std::find(made.begin(), made.end(), d) == made.end()) made.push_back(d);
    return d;
}

/// At the end of a test case: its scratch directories removed when it passed, listed on
/// standard error when it failed.
inline void end_scratch(bool passed) {
    for (const auto& d : detail::scratch_made()) {
        if (passed) {
            std::error_code ec;
            std::filesystem::remove_all(d, ec);
        } else {
            std::fprintf(stderr, "kept for inspection: %s\n", d.c_str());
        }
    }
    detail::scratch_made().clear();
}

/// Whether pred() holds within `limit`, asked every `step`.
inline bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit,
                       std::chrono::milliseconds step = std::chrono::milliseconds(100)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(step);
    }
    return pred();
}

/// A one-shot command's outcome.
struct CommandRun {
    int exit_code = -1;
    std::string out;  ///< standard output (standard error is dropped)
};

/// `nswatch ARGS` (ARGS as a shell would split them) to completion.
inline CommandRun run_nswatch(const std::string& args) {
    const std::string cmd = std::string(NSWATCH_BIN) + " " + args + " 2>/dev/null";
    CommandRun r;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

/// A child process started by fork/exec (stdout and stderr appended to LOG), stopped by pid:
/// SIGTERM, then SIGKILL if it has not exited after 5 s.
class Child {
  public:
    Child(std::vector<std::string> argv, const std::filesystem::path& log) : log_(log) {
        pid_ = fork();
        if (pid_ == 0) {
            const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(a.data());
            args.push_back(nullptr);
            execvp(args[0], args.data());
            _exit(127);
        }
    }
    /// Still running? (reaps it if it exited)
    bool running() {
        if (pid_ <= 0) return false;
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        return true;
    }
    void stop() {
        using namespace std::chrono_literals;
        if (!running()) return;
        kill(pid_, SIGTERM);
        const auto end = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < end) {
            if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(50ms);
        }
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    pid_t pid() const { return pid_; }
    /// Everything the child wrote so far.
    std::string log() const {
        std::ifstream in(log_);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    ~Child() { stop(); }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

  private:
    pid_t pid_ = -1;
    std::filesystem::path log_;
};

/// `nswatch run -c CONFIG` as a Child logging to LOG.
inline std::vector<std::string> nswatch_run_argv(const std::filesystem::path& config) {
    return {NSWATCH_BIN, "run", "-c", config.string()};
}

}  // namespace nswatch::lab
