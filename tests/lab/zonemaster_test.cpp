// `nswatch audit` cross-checked against Zonemaster (Debian package zonemaster-cli) on the lab's
// defect zones (tests/lab/audit_zones.sh): for the checks both tools have, every Zonemaster
// finding must have its nswatch counterpart. The mapping is docs/AUDIT-ZONEMASTER.md's table;
// the results and the gaps are written down there ("Cross-check on the lab").
//
// Zonemaster is given the lab's root hints (--hints), so it only ever talks to the lab; the test
// checks that with its saved name server cache (--save): every address it queried is a lab one.
#include <arpa/inet.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "lab_env.hpp"

namespace {

std::string capture(const std::string& cmd, int* exit_code = nullptr) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = pclose(p);
    if (exit_code != nullptr) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string audit_zones_sh(const std::string& cmd) {
    return "bash " NSWATCH_SOURCE_DIR "/tests/lab/audit_zones.sh " + cmd + " " +
           nswatch::lab::lab_dir();
}

/// The defect zones' servers, up for the test's lifetime.
struct DefectZones {
    DefectZones() { REQUIRE(std::system((audit_zones_sh("up") + " >&2").c_str()) == 0); }
    ~DefectZones() { std::system((audit_zones_sh("down") + " >&2").c_str()); }
    DefectZones(const DefectZones&) = delete;
    DefectZones& operator=(const DefectZones&) = delete;
};

/// A temporary directory, removed with its contents.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/nswatch-zonemaster-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

/// Zonemaster's levels, lowest first.
int level_rank(const std::string& level) {
    static const std::map<std::string, int> rank = {
        {"DEBUG3", -3}, {"DEBUG2", -2}, {"DEBUG", -1}, {"INFO", 0},
        {"NOTICE", 1},  {"WARNING", 2}, {"ERROR", 3},  {"CRITICAL", 4},
    };
    const auto it = rank.find(level);
    return it == rank.end() ? -10 : it->second;
}

/// Zonemaster test case -> the nswatch check(s) that look at the same thing
/// (docs/AUDIT-ZONEMASTER.md). A Zonemaster message of that test case at `min_level` or above
/// must have one of `ids` among nswatch's findings (above INFO) for the same zone.
struct Mapping {
    std::vector<std::string> ids;
    std::string min_level = "WARNING";
};

const std::map<std::string, Mapping>& mapping() {
    static const std::map<std::string, Mapping> m = {
        {"DELEGATION01", {{"DEL-NSCOUNT"}}},
        {"DELEGATION02", {{"DEL-DISTINCT-IP"}}},
        {"DELEGATION03", {{"DEL-REFERRAL-SIZE"}}},
        {"DELEGATION05", {{"DEL-NSNAME"}}},
        {"DELEGATION06", {{"ZONE-SOA"}}},
        {"DELEGATION07", {{"DEL-PARENT-CHILD"}}},
        {"CONSISTENCY01", {{"CONS-SERIAL"}}},
        {"CONSISTENCY02", {{"CONS-SOA-FIELDS"}}},
        {"CONSISTENCY03", {{"CONS-SOA-FIELDS"}}},
        {"CONSISTENCY04", {{"DEL-NSSET-CONSISTENT"}}},
        {"CONSISTENCY05", {{"DEL-GLUE"}}},
        {"CONSISTENCY06", {{"CONS-SOA-FIELDS"}}},
        {"CONNECTIVITY01", {{"SRV-UDP"}}},
        {"CONNECTIVITY02", {{"SRV-TCP"}}},
        // Both tools read the lab's ASN zone (asn.test, Team Cymru layout). Zonemaster also calls
        // a single address "all in one AS"; nswatch leaves one address to DEL-NSCOUNT.
        {"CONNECTIVITY03", {{"NET-ASN", "DEL-NSCOUNT"}}},
        {"NAMESERVER01", {{"SRV-OPEN-RECURSION"}}},
        {"NAMESERVER02", {{"SRV-EDNS"}}},
        // Zonemaster rates an open AXFR a NOTICE only (nswatch: WARNING); compared at NOTICE so
        // that axfr.test is compared at all.
        {"NAMESERVER03", {{"SRV-OPEN-AXFR"}, "NOTICE"}},
        {"NAMESERVER05", {{"SRV-AAAA"}}},
        {"NAMESERVER06", {{"DEL-NSNAME"}}},
        {"NAMESERVER07", {{"SRV-UPWARD-REFERRAL"}}},
        // SRV-EDNS's version, option and DO probes.
        {"NAMESERVER10", {{"SRV-EDNS"}}},
        {"NAMESERVER11", {{"SRV-EDNS"}}},
        {"NAMESERVER13", {{"SRV-EDNS"}}},
        {"ZONE02", {{"SOA-REFRESH"}}},
        {"ZONE03", {{"SOA-RETRY"}}},
        {"ZONE04", {{"SOA-RETRY"}}},
        {"ZONE05", {{"SOA-EXPIRE"}}},
        {"ZONE06", {{"SOA-MINIMUM"}}},
        {"ZONE10", {{"ZONE-SOA"}}},
        {"DNSSEC02", {{"DNSSEC-DS"}}},
        {"DNSSEC04", {{"DNSSEC-SIG-LIFETIME"}}},
        {"DNSSEC15", {{"DNSSEC-CDS"}}},
    };
    return m;
}

/// The Zonemaster test cases run: those of the mapping table (ADDRESS01 left out: the lab's
/// addresses are private on purpose and nswatch allows them by default, see the doc).
const std::vector<std::string> kTestCases = {
    "Delegation/delegation01",
    "Delegation/delegation02",
    "Delegation/delegation03",
    "Delegation/delegation05",
    "Delegation/delegation06",
    "Delegation/delegation07",
    "Consistency/consistency01",
    "Consistency/consistency02",
    "Consistency/consistency03",
    "Consistency/consistency04",
    "Consistency/consistency05",
    "Consistency/consistency06",
    "Connectivity/connectivity01",
    "Connectivity/connectivity02",
    "Connectivity/connectivity03",
    "Nameserver/nameserver01",
    "Nameserver/nameserver02",
    "Nameserver/nameserver03",
    "Nameserver/nameserver05",
    "Nameserver/nameserver06",
    "Nameserver/nameserver07",
    "Nameserver/nameserver10",
    "Nameserver/nameserver11",
    "Nameserver/nameserver13",
    "Zone/zone02",
    "Zone/zone03",
    "Zone/zone04",
    "Zone/zone05",
    "Zone/zone06",
    "Zone/zone10",
    "DNSSEC/dnssec02",
    "DNSSEC/dnssec04",
    "DNSSEC/dnssec15",
};

/// notcp.test first: its TCP timeouts make it the longest Zonemaster run.
const std::vector<std::string> kZones = {
    "notcp.test",       "clean.test",     "single.test", "parentchild.test",
    "lame.test",        "recursion.test", "axfr.test",   "expire.test",
    "nsttl.test",       "stuck.test",     "differ.test", "glue.test",
    "multisigner.test", "ds.test",        "oneasn.test", "onens.test",
};

/// 127.53.0.0/16 and fd00:53::/64 (tests/lab/lab.sh), 127.62.0.0/16 (audit_zones.sh). Zonemaster
/// writes IPv6 addresses fully expanded, so they are compared as bytes.
bool is_lab_address(const std::string& a) {
    unsigned char b[16];
    if (inet_pton(AF_INET, a.c_str(), b) == 1) return b[0] == 127 && (b[1] == 53 || b[1] == 62);
    static const unsigned char lab6[8] = {0xfd, 0x00, 0x00, 0x53, 0, 0, 0, 0};
    return inet_pton(AF_INET6, a.c_str(), b) == 1 && std::equal(lab6, lab6 + 8, b);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("zonemaster: nswatch audit finds at least what Zonemaster finds on the defect zones") {
    int rc = -1;
    capture("command -v zonemaster-cli >/dev/null 2>&1", &rc);
    if (rc != 0) {
        FAIL(
            "zonemaster-cli is not installed: it is the Debian 12 package zonemaster-cli, which "
            "scripts/bootstrap.sh installs (run it as root)");
    }
    DefectZones servers;
    TempDir tmp;
    const std::string hints = nswatch::lab::root_hints();

    std::string zones;
    for (const auto& z : kZones) zones += z + " ";
    // The lab's IP-to-ASN zone for both: nswatch asks d.c.b.a.origin.asn.test, and so does
    // Zonemaster's Cymru-style look-up, which puts "origin." in front of its source.
    const auto config = tmp.path / "nswatch.yml";
    std::ofstream(config) << "audit:\n  asn_zone: origin.asn.test\n";
    const auto profile = tmp.path / "profile.json";
    std::ofstream(profile)
        << R"({"asn_db": {"style": "Cymru", "sources": {"Cymru": ["asn.test"]}}})";

    // nswatch: one run over all the zones.
    const auto t_nswatch = std::chrono::steady_clock::now();
    const std::string nswatch_out =
        capture(std::string(NSWATCH_BIN) + " audit " + zones + "-c " + config.string() +
                " --format json --timeout 1s --root-hints " + hints + " 2>/dev/null");
    const double nswatch_s = seconds_since(t_nswatch);
    INFO(nswatch_out);
    const auto audit = nlohmann::json::parse(nswatch_out);

    // Zonemaster: one zonemaster-cli per zone, 6 at a time, each under a timeout.
    {
        std::ofstream script(tmp.path / "zm.sh");
        script << "z=$1\nd=" << tmp.path.string() << "\ns=$(date +%s%N)\n"
               << "timeout 150 zonemaster-cli --profile " << profile.string() << " --hints "
               << hints << " --json --level NOTICE --no-progress --save \"$d/$z.cache\"";
        for (const auto& t : kTestCases) script << " --test " << t;
        script << " \"$z\" >\"$d/$z.json\" 2>\"$d/$z.err\"\nrc=$?\n"
               << "echo \"$rc $(( ($(date +%s%N) - s) / 1000000 ))\" >\"$d/$z.rc\"\n";
    }
    const auto t_zm = std::chrono::steady_clock::now();
    capture("printf '%s\\n' " + zones + " | xargs -P 6 -n 1 bash " + (tmp.path / "zm.sh").string() +
            " >&2");
    const double zm_s = seconds_since(t_zm);

    std::ostringstream report;
    report
        << "| zone | Zonemaster (NOTICE+, test case/tag) | Zonemaster s | nswatch (above INFO) |\n"
        << "|---|---|---|---|\n";
    for (const auto& zone : kZones) {
        INFO("zone " << zone);
        const nlohmann::json* nz = nullptr;
        for (const auto& z : audit["zones"]) {
            if (z["zone"] == zone) nz = &z;
        }
        REQUIRE(nz != nullptr);
        std::vector<const nlohmann::json*> findings;
        std::set<std::string> nswatch_ids;
        for (const auto& f : (*nz)["findings"]) {
            if (f["severity"] == "INFO") continue;
            findings.push_back(&f);
            nswatch_ids.insert(f["id"].get<std::string>() + " " + f["severity"].get<std::string>());
        }

        int zm_rc = -1;
        long zm_ms = -1;
        std::istringstream(read_file(tmp.path / (zone + ".rc"))) >> zm_rc >> zm_ms;
        INFO("zonemaster-cli stderr: " << read_file(tmp.path / (zone + ".err")));
        REQUIRE(zm_rc == 0);  // 124: timed out
        const auto messages = nlohmann::json::parse(read_file(tmp.path / (zone + ".json")));

        std::set<std::string> zm_seen;
        for (const auto& m : messages) {
            const std::string level = m.value("level", "");
            const std::string testcase = m.value("testcase", "");
            const std::string tag = m.value("tag", "");
            if (level_rank(level) < level_rank("NOTICE")) continue;
            if (tag.rfind("NO_IPV6_NS_", 0) == 0) continue;  // the defect zones are IPv4 only
            zm_seen.insert(testcase + "/" + tag + " " + level);
            const auto map = mapping().find(testcase);
            if (map == mapping().end()) continue;
            if (level_rank(level) < level_rank(map->second.min_level)) continue;
            // Server-level messages name the server as "name/address": nswatch must name the
            // same address in the finding's evidence. A server that does not answer at all is
            // reported once, by SRV-UDP, not again by each check that needed its answer.
            std::string address;
            if (m.contains("args") && m["args"].contains("ns")) {
                const std::string ns = m["args"]["ns"].get<std::string>();
                if (ns.find('/') != std::string::npos) address = ns.substr(ns.find('/') + 1);
            }
            std::vector<std::string> accepted = map->second.ids;
            if (!address.empty()) accepted.push_back("SRV-UDP");
            bool found = false;
            for (const auto* f : findings) {
                if (std::find(accepted.begin(), accepted.end(), (*f)["id"].get<std::string>()) ==
                    accepted.end())
                    continue;
                if (address.empty()) {
                    found = true;
                    break;
                }
                for (const auto& line : (*f)["evidence"]) {
                    if (line.get<std::string>().find("(" + address + ")") != std::string::npos)
                        found = true;
                }
            }
            INFO("Zonemaster " << level << " " << testcase << " " << tag << " "
                               << m.value("args", nlohmann::json::object()).dump() << " -> nswatch "
                               << map->second.ids.front());
            CHECK(found);
        }

        // Zonemaster talked only to the lab: every address in its name server cache is a lab one.
        std::ifstream cache(tmp.path / (zone + ".cache"));
        std::string line;
        int cached = 0;
        while (std::getline(cache, line)) {
            std::istringstream fields(line);
            std::string name, address;
            fields >> name >> address;
            INFO("Zonemaster queried " << name << " at " << address);
            CHECK(is_lab_address(address));
            ++cached;
        }
        CHECK(cached > 0);

        auto join = [](const std::set<std::string>& s) {
            std::string out;
            for (const auto& x : s) out += (out.empty() ? "" : "<br>") + x;
            return out.empty() ? std::string("—") : out;
        };
        report << "| " << zone << " | " << join(zm_seen) << " | " << zm_ms / 1000.0 << " | "
               << join(nswatch_ids) << " |\n";
    }
    report << "\nnswatch audit, all " << kZones.size() << " zones in one run: " << nswatch_s
           << " s; zonemaster-cli, one run per zone, 6 at a time: " << zm_s << " s wall\n";
    std::cout << report.str() << std::flush;
}
