// The fleet of tests/lab/federation_test.cpp (docs/FLEET.md) on loopback: two regions, each an
// nswatch instance probing the lab from its own vantage and the Prometheus that scrapes it, and a
// global Prometheus federating both with the shipped rules; plus a way to cut one vantage off
// from provider beta. Header-only; everything is started and stopped by pid.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "lab_env.hpp"
#include "prometheus_env.hpp"

#ifndef NSWATCH_BIN
#error "NSWATCH_BIN (the nswatch binary, a string literal) must be defined for the lab tests"
#endif

namespace nswatch::lab::fleet {

namespace fs = std::filesystem;

/// One region: an nswatch instance probing from its own source address, and the Prometheus next
/// to it that scrapes it.
struct Region {
    std::string vantage;         ///< nswatch's `vantages[0].name`, and the Prometheus' region
    std::string source_ipv4;     ///< the vantage's source addresses (on lo, no setup needed)
    std::string source_ipv6;     ///< empty: the kernel's choice (the lab address asked, on lo)
    std::string nswatch_listen;  ///< nswatch's http.listen
    std::string prometheus_listen;
};

inline const Region kRegions[] = {
    {"fra1", "127.65.1.1", "::1", "127.0.0.1:19463", "127.0.0.1:19481"},
    {"nyc1", "127.65.2.1", "", "127.0.0.1:19464", "127.0.0.1:19482"},
};
inline constexpr const char* kGlobalListen = "127.0.0.1:19480";

inline void write_nswatch_config(const fs::path& file, const Region& r, const fs::path& dir) {
    std::ofstream(file) << "root_hints: " << lab::root_hints() << "\n"
                        << "vantages:\n"
                        << "  - {name: " << r.vantage << ", source_ipv4: " << r.source_ipv4
                        << (r.source_ipv6.empty() ? "" : ", source_ipv6: '" + r.source_ipv6 + "'")
                        << "}\n"
                        << "probe: {timeout: 400ms, interval: 1s, jitter: 0%, tcp_every: 2}\n"
                        << "discovery: {interval: 1h, timeout: 500ms}\n"
                        << "storage: {path: " << (dir / "history.db").string() << "}\n"
                        << "http: {listen: '" << r.nswatch_listen << "'}\n"
                        << "providers:\n"
                        << "  - {name: alpha, patterns: ['*.alpha-dns.test']}\n"
                        << "  - {name: beta, patterns: ['*.beta-dns.test']}\n"
                        << "  - {name: gamma, patterns: ['*.gamma-dns.test']}\n"
                        << "zones:\n  - {name: shop.test, primary: ns1.alpha-dns.test}\n";
}

/// The regional Prometheus: scrapes its own nswatch; `region` is added to what it federates out.
inline void write_regional_config(const fs::path& file, const Region& r) {
    std::ofstream(file)
        << "global:\n"
        << "  scrape_interval: 1s\n  scrape_timeout: 900ms\n  evaluation_interval: 1s\n"
        << "  external_labels: {region: " << r.vantage << "}\n"
        << "scrape_configs:\n"
        << "  - job_name: nswatch\n"
        << "    static_configs: [{targets: ['" << r.nswatch_listen << "']}]\n";
}

/// The global Prometheus: the federation job of docs/FLEET.md (intervals 1 s instead of 15 s),
/// and the shipped rules as they are (the cross-vantage rule has no `for:`).
inline void write_global_config(const fs::path& file) {
    std::ofstream(file) << "global: {scrape_interval: 1s, scrape_timeout: 900ms, "
                           "evaluation_interval: 1s}\n"
                        << "rule_files: ['" << NSWATCH_SOURCE_DIR
                        << "/grafana/nswatch-rules.yml']\n"
                        << "scrape_configs:\n"
                        << "  - job_name: federate\n"
                        << "    honor_labels: true\n"
                        << "    metrics_path: /federate\n"
                        << "    params:\n"
                        << "      'match[]': ['{job=\"nswatch\"}']\n"
                        << "    static_configs:\n"
                        << "      - targets: ['" << kRegions[0].prometheus_listen << "', '"
                        << kRegions[1].prometheus_listen << "']\n";
}

/// The five processes, started in the constructor (configs and data under DIR), stopped by pid
/// in stop() or the destructor, the global Prometheus first.
class Fleet {
  public:
    explicit Fleet(const fs::path& dir) {
        for (const auto& r : kRegions) {
            const fs::path rdir = dir / r.vantage;
            fs::create_directories(rdir);
            write_nswatch_config(rdir / "nswatch.yml", r, rdir);
            write_regional_config(rdir / "prometheus.yml", r);
            children_.push_back(std::make_unique<prom::Child>(
                std::vector<std::string>{NSWATCH_BIN, "run", "-c", (rdir / "nswatch.yml").string()},
                rdir / "nswatch.log"));
            children_.push_back(std::make_unique<prom::Child>(
                prom::prometheus_argv(rdir / "prometheus.yml", rdir / "tsdb", r.prometheus_listen),
                rdir / "prometheus.log"));
        }
        write_global_config(dir / "global.yml");
        children_.push_back(std::make_unique<prom::Child>(
            prom::prometheus_argv(dir / "global.yml", dir / "global-tsdb", kGlobalListen),
            dir / "global.log"));
    }
    /// All five still running?
    bool running() {
        for (auto& c : children_) {
            if (!c->running()) return false;
        }
        return true;
    }
    /// Their logs: fra1 nswatch, fra1 Prometheus, nyc1 nswatch, nyc1 Prometheus, global.
    std::string logs() const {
        std::ostringstream out;
        for (const auto& c : children_) out << "----\n" << c->log();
        return out.str();
    }
    void stop() {
        for (auto it = children_.rbegin(); it != children_.rend(); ++it) (*it)->stop();
    }
    ~Fleet() { stop(); }
    Fleet(const Fleet&) = delete;
    Fleet& operator=(const Fleet&) = delete;

  private:
    std::vector<std::unique_ptr<prom::Child>> children_;
};

/// Beta's addresses stop answering one vantage only (by its source addresses), as when that
/// vantage's network path to the provider breaks: an nftables table of this test, silent drop on
/// arrival like lab.sh's block-xfr, removed by the destructor.
class CutOff {
  public:
    CutOff(const Region& r, const fs::path& rules_file) {
        std::ofstream(rules_file) << "table inet " << kTable << " {\n"
                                  << "  chain input {\n"
                                  << "    type filter hook input priority filter; policy accept;\n"
                                  << "    ip saddr " << r.source_ipv4 << " ip daddr { "
                                  << lab::kBetaNs1V4 << ", " << lab::kBetaNs2V4
                                  << " } counter drop\n"
                                  << "    ip6 saddr " << r.source_ipv6 << " ip6 daddr { "
                                  << lab::kBetaNs1V6 << ", " << lab::kBetaNs2V6
                                  << " } counter drop\n"
                                  << "  }\n}\n";
        remove();
        if (std::system(("nft -f " + rules_file.string()).c_str()) != 0) {
            throw std::runtime_error("nft -f " + rules_file.string() + " failed");
        }
    }
    ~CutOff() { remove(); }
    CutOff(const CutOff&) = delete;
    CutOff& operator=(const CutOff&) = delete;

  private:
    static constexpr const char* kTable = "nswatch_federation_test";
    static void remove() {
        const std::string cmd = std::string("nft list table inet ") + kTable +
                                " >/dev/null 2>&1 && nft delete table inet " + kTable;
        if (std::system(cmd.c_str()) != 0) return;  // there was none
    }
};

}  // namespace nswatch::lab::fleet
