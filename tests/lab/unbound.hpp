// A real Unbound recursive resolver for the lab tests, on 127.64.0.1:53 (this feature's private
// loopback range), with the lab's private root as its root hints. Started by the test, stopped by
// pid in the destructor. No DNSSEC validation (the lab zones are unsigned), no IPv6 transport.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "lab_env.hpp"
#include "prober/engine.hpp"

namespace nswatch::lab {

inline constexpr std::string_view kUnboundV4 = "127.64.0.1";

class Unbound {
  public:
    Unbound() {
        char tmpl[] = "/tmp/nswatch-unbound-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        const std::string conf = dir_ + "/unbound.conf";
        std::ofstream(conf) << "server:\n"
                            << "  interface: " << kUnboundV4 << "\n"
                            << "  port: 53\n"
                            << "  do-daemonize: no\n"
                            << "  username: \"\"\n"
                            << "  chroot: \"\"\n"
                            << "  directory: \"" << dir_ << "\"\n"
                            << "  pidfile: \"" << dir_ << "/unbound.pid\"\n"
                            << "  logfile: \"" << dir_ << "/unbound.log\"\n"
                            << "  use-syslog: no\n"
                            << "  verbosity: 1\n"
                            << "  num-threads: 1\n"
                            << "  do-ip6: no\n"
                            // the lab's servers are on 127.53.x.x: Unbound refuses those by default
                            << "  do-not-query-localhost: no\n"
                            << "  access-control: 127.0.0.0/8 allow\n"
                            << "  root-hints: \"" << root_hints() << "\"\n"
                            << "  module-config: \"iterator\"\n"
                            // Unbound answers the RFC 6761 name test. itself (NXDOMAIN) by
                            // default; the lab's TLD is test.
                            << "  local-zone: \"test.\" nodefault\n"
                            << "  qname-minimisation: no\n"
                            << "  ede: yes\n"
                            << "  msg-cache-size: 4m\n"
                            << "  rrset-cache-size: 4m\n"
                            << "remote-control:\n"
                            << "  control-enable: no\n";
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::setsid();
            ::execlp("unbound", "unbound", "-d", "-c", conf.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        wait_ready();
    }
    ~Unbound() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            for (int i = 0; i < 50 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            if (::waitpid(pid_, &status, WNOHANG) == 0) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
            }
        }
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    Unbound(const Unbound&) = delete;
    Unbound& operator=(const Unbound&) = delete;

    std::string log() const {
        std::ifstream in(dir_ + "/unbound.log");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

  private:
    // Ready when it answers a query for the root's SOA (from its hints, via the lab root).
    void wait_ready() {
        ProbeEngine engine;
        for (int i = 0; i < 50; ++i) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("unbound exited at start: " + log());
            }
            ProbeRequest req;
            req.target.address = std::string(kUnboundV4);
            req.query.name = ".";
            req.query.recursion_desired = true;
            req.timeout = std::chrono::milliseconds(200);
            auto results = engine.run_batch({req});
            if (!results.empty() && results.front().rcode == 0) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        throw std::runtime_error("unbound did not answer on 127.64.0.1 within 15 s: " + log());
    }

    std::string dir_;
    pid_t pid_ = -1;
};

}  // namespace nswatch::lab
