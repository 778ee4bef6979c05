// The loopback lab as seen from the lab tests: where it runs (NSWATCH_LAB_DIR, set by CTest), its
// fixed layout, and a way to drive tests/lab/lab.sh (bump the zone, freeze a provider, block zone
// transfers, read a serial). Header-only; see tests/lab/README.md for the layout and commands.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#ifndef NSWATCH_SOURCE_DIR
#error "NSWATCH_SOURCE_DIR (the source tree, a string literal) must be defined for the lab tests"
#endif

namespace nswatch::lab {

// ------------------------------------------------ layout (keep in sync with lab.sh)

/// Private root "." (NSD): a.root.test.
inline constexpr std::string_view kRootName = "a.root.test";
inline constexpr std::string_view kRootV4 = "127.53.0.1";
inline constexpr std::string_view kRootV6 = "fd00:53::1";

/// TLD "test." (NSD): a.nic.test.
inline constexpr std::string_view kTldName = "a.nic.test";
inline constexpr std::string_view kTldV4 = "127.53.0.2";
inline constexpr std::string_view kTldV6 = "fd00:53::2";

/// The watched zone, its serial right after `lab.sh up`, SOA timers and NS TTL.
inline constexpr std::string_view kZone = "shop.test";
inline constexpr std::uint32_t kInitialSerial = 2026112201;
inline constexpr std::uint32_t kSoaRefresh = 14400;
inline constexpr std::uint32_t kSoaRetry = 3600;
inline constexpr std::uint32_t kSoaExpire = 1209600;
inline constexpr std::uint32_t kSoaMinimum = 300;
inline constexpr std::uint32_t kNsTtl = 86400;

/// The TSIG key (hmac-sha256) with which BIND transfers shop.test to any address (lab.sh).
inline constexpr std::string_view kXfrKeyName = "lab-xfr";
inline constexpr std::string_view kXfrKeySecret =
    "bnN3YXRjaC1sYWIteGZyLWtleS1ub3QtYS1zZWNyZXQhIQ==";

/// Providers: alpha = BIND (primary of shop.test), beta = NSD, gamma = Knot (secondaries).
inline constexpr std::string_view kAlpha = "alpha";
inline constexpr std::string_view kBeta = "beta";
inline constexpr std::string_view kGamma = "gamma";

inline constexpr std::string_view kAlphaNs1V4 = "127.53.1.1";
inline constexpr std::string_view kAlphaNs1V6 = "fd00:53::1:1";
inline constexpr std::string_view kAlphaNs2V4 = "127.53.1.2";
inline constexpr std::string_view kAlphaNs2V6 = "fd00:53::1:2";
inline constexpr std::string_view kBetaNs1V4 = "127.53.2.1";
inline constexpr std::string_view kBetaNs1V6 = "fd00:53::2:1";
inline constexpr std::string_view kBetaNs2V4 = "127.53.2.2";
inline constexpr std::string_view kBetaNs2V6 = "fd00:53::2:2";
inline constexpr std::string_view kGammaNs1V4 = "127.53.3.1";
inline constexpr std::string_view kGammaNs1V6 = "fd00:53::3:1";
inline constexpr std::string_view kGammaNs2V4 = "127.53.3.2";
inline constexpr std::string_view kGammaNs2V6 = "fd00:53::3:2";

/// The primary's address that nsupdate talks to (and that the secondaries transfer from).
inline constexpr std::string_view kPrimaryV4 = kAlphaNs1V4;

struct NameServer {
    std::string_view name;      ///< without the trailing dot
    std::string_view provider;  ///< kAlpha / kBeta / kGamma
    std::string_view software;  ///< "bind", "nsd", "knot"
    std::string_view v4;
    std::string_view v6;
};

/// shop.test's NS set, in the order of the TLD's delegation (and the zone's apex NS).
inline constexpr std::array<NameServer, 6> kNameServers{{
    {"ns1.alpha-dns.test", kAlpha, "bind", kAlphaNs1V4, kAlphaNs1V6},
    {"ns2.alpha-dns.test", kAlpha, "bind", kAlphaNs2V4, kAlphaNs2V6},
    {"ns1.beta-dns.test", kBeta, "nsd", kBetaNs1V4, kBetaNs1V6},
    {"ns2.beta-dns.test", kBeta, "nsd", kBetaNs2V4, kBetaNs2V6},
    {"ns1.gamma-dns.test", kGamma, "knot", kGammaNs1V4, kGammaNs1V6},
    {"ns2.gamma-dns.test", kGamma, "knot", kGammaNs2V4, kGammaNs2V6},
}};

/// All 12 addresses serving shop.test.
inline constexpr std::array<std::string_view, 12> kNameServerAddresses{
    kAlphaNs1V4, kAlphaNs1V6, kAlphaNs2V4, kAlphaNs2V6, kBetaNs1V4,  kBetaNs1V6,
    kBetaNs2V4,  kBetaNs2V6,  kGammaNs1V4, kGammaNs1V6, kGammaNs2V4, kGammaNs2V6,
};

// ------------------------------------------------ environment

/// The running lab's directory (NSWATCH_LAB_DIR, set by CTest for the lab tests).
inline std::string lab_dir() {
    const char* dir = std::getenv("NSWATCH_LAB_DIR");
    if (dir == nullptr || *dir == '\0') {
        throw std::runtime_error(
            "NSWATCH_LAB_DIR is not set: run the lab tests through ctest (the 'lab' fixture starts "
            "the lab), or start one with: bash tests/lab/lab.sh up DIR && export "
            "NSWATCH_LAB_DIR=DIR");
    }
    return dir;
}

/// named.root-format hints for the lab's private root (written by `lab.sh up`).
inline std::string root_hints() {
    return lab_dir() + "/root.hints";
}

namespace detail {

inline std::string shell_quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

inline std::string trim(std::string s) {
    const auto end = s.find_last_not_of(" \t\r\n");
    s.erase(end == std::string::npos ? 0 : end + 1);
    const auto begin = s.find_first_not_of(" \t\r\n");
    return begin == std::string::npos ? std::string() : s.substr(begin);
}

}  // namespace detail

/// Run `bash NSWATCH_SOURCE_DIR/tests/lab/lab.sh ARGS` (ARGS as a shell command line) and return
/// its stdout. Throws std::runtime_error with the exit status, stdout and stderr if it fails.
inline std::string lab_sh(const std::string& args) {
    char err_path[] = "/tmp/nswatch-lab-stderr-XXXXXX";
    const int err_fd = ::mkstemp(err_path);
    if (err_fd < 0) throw std::runtime_error("lab_sh: mkstemp failed");
    ::close(err_fd);
    const std::string script = std::string(NSWATCH_SOURCE_DIR) + "/tests/lab/lab.sh";
    const std::string cmd = "bash " + detail::shell_quote(script) + " " + args + " 2>" +
                            detail::shell_quote(err_path) + " </dev/null";
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) {
        ::unlink(err_path);
        throw std::runtime_error("lab_sh: popen failed: " + cmd);
    }
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    const int status = ::pclose(pipe);
    std::ostringstream err;
    err << std::ifstream(err_path).rdbuf();
    ::unlink(err_path);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const int code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
        throw std::runtime_error("lab.sh " + args + " failed (exit " + std::to_string(code) +
                                 ")\nstdout:\n" + out + "stderr:\n" + err.str());
    }
    return out;
}

/// `lab.sh COMMAND LAB_DIR [EXTRA]` with surrounding whitespace trimmed from stdout.
inline std::string lab_command(std::string_view command, std::string_view extra = {}) {
    std::string args = std::string(command) + " " + detail::shell_quote(lab_dir());
    if (!extra.empty()) args += " " + std::string(extra);
    return detail::trim(lab_sh(args));
}

// ------------------------------------------------ convenience

/// Change ZONE on the primary (nsupdate); returns the new serial. BIND sends NOTIFY at once.
inline std::uint32_t bump(std::string_view zone = kZone) {
    return static_cast<std::uint32_t>(std::stoul(lab_command("bump", zone)));
}

/// The SOA serial that ADDR serves for ZONE; throws if it does not answer (e.g. frozen).
inline std::uint32_t serial(std::string_view addr, std::string_view zone = kZone) {
    return static_cast<std::uint32_t>(
        std::stoul(lab_command("serial", std::string(addr) + " " + std::string(zone))));
}

/// Wait until all 12 addresses serve the primary's serial for ZONE; returns it, throws on timeout.
inline std::uint32_t wait_sync(int timeout_s = 10, std::string_view zone = kZone) {
    return static_cast<std::uint32_t>(
        std::stoul(lab_command("wait-sync", std::to_string(timeout_s) + " " + std::string(zone))));
}

/// Make the primary send NOTIFY for ZONE again (e.g. after unblock_xfr).
inline void notify(std::string_view zone = kZone) {
    lab_command("notify", zone);
}

inline void freeze(std::string_view server) {
    lab_command("freeze", server);
}
inline void thaw(std::string_view server) {
    lab_command("thaw", server);
}
inline void block_xfr(std::string_view provider) {
    lab_command("block-xfr", provider);
}
inline void unblock_xfr(std::string_view provider) {
    lab_command("unblock-xfr", provider);
}

/// SIGSTOPs a server (alpha|beta|gamma|root|tld) for the guard's lifetime, so a failing REQUIRE
/// does not leave it stopped for the next test.
class Frozen {
  public:
    explicit Frozen(std::string_view server) : server_(server) { freeze(server_); }
    ~Frozen() {
        try {
            thaw(server_);
        } catch (...) {
        }
    }
    Frozen(const Frozen&) = delete;
    Frozen& operator=(const Frozen&) = delete;

  private:
    std::string server_;
};

/// Blocks NOTIFY and zone transfers between the primary and a provider (beta|gamma) for the
/// guard's lifetime. A NOTIFY lost while blocked is only retried by BIND for about 10 s, so
/// after a longer block the provider stays behind until bump() or notify().
class XfrBlocked {
  public:
    explicit XfrBlocked(std::string_view provider) : provider_(provider) { block_xfr(provider_); }
    ~XfrBlocked() {
        try {
            unblock_xfr(provider_);
        } catch (...) {
        }
    }
    XfrBlocked(const XfrBlocked&) = delete;
    XfrBlocked& operator=(const XfrBlocked&) = delete;

  private:
    std::string provider_;
};

/// Removes ZONE's delegation from the TLD (`lab.sh undelegate`) for the guard's lifetime; the TLD
/// then answers NXDOMAIN for shop.test. restore() puts it back earlier (`lab.sh redelegate`,
/// which waits until the TLD refers again); the destructor does if the test did not get there.
class Undelegated {
  public:
    explicit Undelegated(std::string_view zone = kZone) : zone_(zone) {
        lab_command("undelegate", zone_);
    }
    void restore() {
        if (!undelegated_) return;
        undelegated_ = false;
        lab_command("redelegate", zone_);
    }
    ~Undelegated() {
        try {
            restore();
        } catch (...) {
        }
    }
    Undelegated(const Undelegated&) = delete;
    Undelegated& operator=(const Undelegated&) = delete;

  private:
    std::string zone_;
    bool undelegated_ = true;
};

}  // namespace nswatch::lab
