// `nswatch audit` end to end on the lab: the real binary against real BIND/NSD servers, one
// defect zone per finding (tests/lab/audit_zones.sh) and the lab's healthy shop.test.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lab_env.hpp"
#include "lab_process.hpp"

namespace {

std::string audit_zones_sh(const std::string& cmd) {
    return "bash " NSWATCH_SOURCE_DIR "/tests/lab/audit_zones.sh " + cmd + " " +
           nswatch::lab::lab_dir();
}

/// The defect zones' servers, up for the test's lifetime.
struct AuditZones {
    AuditZones() { REQUIRE(std::system((audit_zones_sh("up") + " >&2").c_str()) == 0); }
    ~AuditZones() { std::system((audit_zones_sh("down") + " >&2").c_str()); }
    AuditZones(const AuditZones&) = delete;
    AuditZones& operator=(const AuditZones&) = delete;
};

struct Expected {
    std::string zone;
    std::string id;        ///< empty: no finding above INFO
    std::string severity;  ///< of that finding
    std::string evidence;  ///< a substring of one evidence line
    /// Findings the defect necessarily brings along (onens.test: one NS is also one provider).
    std::vector<std::string> also = {};
};

/// A config file for the test's lifetime.
struct TempConfig {
    std::string path;
    explicit TempConfig(const std::string& yaml) {
        char tmpl[] = "/tmp/nswatch-audit-config-XXXXXX";
        const int fd = mkstemp(tmpl);
        REQUIRE(fd >= 0);
        close(fd);
        path = tmpl;
        std::ofstream(path) << yaml;
    }
    ~TempConfig() { std::remove(path.c_str()); }
    TempConfig(const TempConfig&) = delete;
    TempConfig& operator=(const TempConfig&) = delete;
};

const nlohmann::json* zone_of(const nlohmann::json& j, const std::string& zone) {
    for (const auto& z : j["zones"]) {
        if (z["zone"] == zone) return &z;
    }
    return nullptr;
}

std::vector<std::string> finding_ids(const nlohmann::json& z) {
    std::vector<std::string> ids;
    for (const auto& f : z["findings"]) {
        if (f["severity"] != "INFO") ids.push_back(f["id"]);
    }
    return ids;
}

}  // namespace

TEST_CASE("audit: the lab's shop.test (three providers) passes over IPv4 and survives any loss") {
    const nswatch::lab::CommandRun r = nswatch::lab::run_nswatch(
        "audit shop.test --format json --no-ipv6 --timeout 1s --root-hints " +
        nswatch::lab::root_hints());
    INFO(r.out);
    const auto j = nlohmann::json::parse(r.out);
    const auto& z = j["zones"][0];
    CHECK(finding_ids(z).empty());
    CHECK(z["score"] == 100);
    CHECK(r.exit_code == 0);
    // SRV-EDNS's probes pass on BIND, NSD and Knot alike: EDNS version 1 gets BADVERS with an OPT
    // of version 0, the unknown option is ignored, DO is echoed.
    for (const auto& f : z["findings"]) CHECK(f["id"] != "SRV-EDNS");
    // SRV-NSID (INFO): the lab's BIND (server-id "alpha") and Knot (nsid "gamma") name themselves.
    std::vector<std::string> nsid;
    for (const auto& f : z["findings"]) {
        if (f["id"] != "SRV-NSID") continue;
        CHECK(f["severity"] == "INFO");
        for (const auto& line : f["evidence"]) nsid.push_back(line.get<std::string>());
    }
    auto says = [&](const std::string& text) {
        return std::any_of(nsid.begin(), nsid.end(),
                           [&](const auto& l) { return l.find(text) != std::string::npos; });
    };
    CHECK(says("NSID \"alpha\""));
    CHECK(says("NSID \"gamma\""));
    REQUIRE(z["failover"].size() == 3);
    for (const auto& p : z["failover"]) CHECK(p["survives"] == true);
    // No ASN source configured: NET-ASN is skipped, with a note. BIND, NSD and Knot all refuse
    // AXFR to strangers: the zone comparison is skipped too. shop.test is unsigned and has no DS:
    // DNSSEC-DS has nothing to say.
    REQUIRE(z["skipped"].size() == 2);
    CHECK(z["skipped"][0]["id"] == "NET-ASN");
    CHECK_THAT(z["skipped"][0]["reason"].get<std::string>(), Catch::Contains("audit.asn_zone"));
    CHECK(z["skipped"][1]["id"] == "CONS-ZONE");
}

TEST_CASE("audit: the lab's IPv6 addresses share one /48 (NET-PREFIX)") {
    const nswatch::lab::CommandRun r = nswatch::lab::run_nswatch(
        "audit shop.test --format json --timeout 1s --root-hints " + nswatch::lab::root_hints());
    INFO(r.out);
    const auto z = nlohmann::json::parse(r.out)["zones"][0];
    REQUIRE(finding_ids(z) == std::vector<std::string>{"NET-PREFIX"});
    CHECK(z["findings"][0]["severity"] == "WARNING");
    CHECK_THAT(z["findings"][0]["evidence"][0].get<std::string>(),
               Catch::Contains("all 6 IPv6 addresses in fd00:0053:0000::/48"));
    CHECK(r.exit_code == 1);
}

TEST_CASE("audit: each defect zone triggers exactly its finding, with its evidence") {
    AuditZones servers;
    const std::vector<Expected> cases = {
        {"clean.test", "", "", ""},  // no finding at all: SRV-EDNS's probes included
        {"single.test", "DEL-PROVIDERS", "ERROR", "pa-dns.test: ns1.pa-dns.test, ns4.pa-dns.test"},
        {"parentchild.test", "DEL-PARENT-CHILD", "ERROR",
         "only at the parent: ns3.pa-dns.test, ns3.pb-dns.test"},
        {"lame.test", "SRV-UDP", "WARNING", "ns1.pb-dns.test (127.62.2.1): UDP SOA refused"},
        {"recursion.test", "SRV-OPEN-RECURSION", "ERROR",
         "ns1.pr-dns.test (127.62.4.1): RD query for . → RA set"},
        {"axfr.test", "SRV-OPEN-AXFR", "WARNING",
         "ns1.pa-dns.test (127.62.1.1): AXFR of axfr.test allowed"},
        {"expire.test", "SOA-EXPIRE", "WARNING", "EXPIRE 86400 (REFRESH 14400) at"},
        {"nsttl.test", "TTL-NS", "ERROR", "ns1.pa-dns.test (127.62.1.1)"},
        {"stuck.test", "CONS-SERIAL", "WARNING",
         "ns1.pb-dns.test (127.62.2.1) serves 2026120201, 1 behind 2026120202"},
        {"differ.test", "CONS-ANSWERS", "ERROR", "www.differ.test A from ns1.pb-dns.test"},
        {"notcp.test", "SRV-TCP", "WARNING", "ns1.pc-dns.test (127.62.3.1): TCP SOA timeout"},
        {"multisigner.test", "DNSSEC-KEYSET", "ERROR",
         "ns1.pb-dns.test (127.62.2.1) lacks 1 of 2 DNSKEYs"},
        {"glue.test", "DEL-GLUE", "ERROR",
         "ns1.glue.test: parent glue 127.62.1.1, zone says 127.62.1.2"},
        // The parent's DS names pa's key only; pb publishes that key but signs with its own.
        {"ds.test", "DNSSEC-DS", "ERROR", "ns1.pb-dns.test (127.62.2.1): publishes DS-matched key"},
        {"oneasn.test", "NET-ASN", "ERROR",
         "all 4 IPv4 addresses in AS64510 (provider(s) pd-dns.test, pe-dns.test)"},
        // One NS is also one provider with one NS: DEL-PROVIDERS comes with it. (NET-PREFIX,
        // NET-ASN and DEL-BALANCE need two addresses or two providers, so they stay silent.)
        {"onens.test",
         "DEL-NSCOUNT",
         "ERROR",
         "parent (test) lists 1 NS: ns1.pa-dns.test",
         {"DEL-PROVIDERS"}},
    };
    std::string zones;
    for (const auto& c : cases) zones += c.zone + " ";
    // The lab's IP-to-ASN source (audit_zones.sh), so that NET-ASN runs on every zone.
    const TempConfig config("audit:\n  asn_zone: origin.asn.test\n");
    const nswatch::lab::CommandRun r = nswatch::lab::run_nswatch(
        "audit " + zones + "-c " + config.path + " --format json --timeout 1s --root-hints " +
        nswatch::lab::root_hints());
    INFO(r.out);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(r.exit_code == 2);
    CHECK(j["status"] == "CRITICAL");
    for (const auto& c : cases) {
        INFO("zone " << c.zone);
        const auto* z = zone_of(j, c.zone);
        REQUIRE(z != nullptr);
        INFO((*z).dump(2));
        if (c.id.empty()) {
            CHECK(finding_ids(*z).empty());
            CHECK((*z)["status"] == "OK");
            for (const auto& p : (*z)["failover"]) CHECK(p["survives"] == true);
            continue;
        }
        auto expected = c.also;
        expected.push_back(c.id);
        auto got = finding_ids(*z);
        std::sort(expected.begin(), expected.end());
        std::sort(got.begin(), got.end());
        REQUIRE(got == expected);
        const nlohmann::json* found = nullptr;
        for (const auto& f : (*z)["findings"]) {
            if (f["id"] == c.id) found = &f;
        }
        REQUIRE(found != nullptr);
        const auto& f = *found;
        CHECK(f["severity"] == c.severity);
        bool seen = false;
        for (const auto& line : f["evidence"]) {
            seen = seen || line.get<std::string>().find(c.evidence) != std::string::npos;
        }
        CHECK(seen);
        CHECK_FALSE(f["advice"].get<std::string>().empty());
        CHECK_FALSE(f["reference"].get<std::string>().empty());
    }
    // Every zone had its ASN looked up: no NET-ASN skip anywhere.
    for (const auto& z : j["zones"]) {
        for (const auto& s : z["skipped"]) {
            INFO(z["zone"] << ": " << s.dump());
            CHECK(s["id"] != "NET-ASN");
        }
    }
    // multisigner.test is signed, but the parent has no DS for it: a note, not a finding.
    const auto* multisigner = zone_of(j, "multisigner.test");
    REQUIRE(multisigner != nullptr);
    bool island = false;
    for (const auto& s : (*multisigner)["skipped"]) {
        island = island || (s["id"] == "DNSSEC-DS" &&
                            s["reason"].get<std::string>().find("signed but test has no DS") !=
                                std::string::npos);
    }
    CHECK(island);
    // Failover: a single provider, or a second provider that is lame, is fatal to lose.
    for (const auto* zone : {"single.test", "lame.test", "onens.test"}) {
        INFO(zone);
        const auto* z = zone_of(j, zone);
        REQUIRE(z != nullptr);
        bool fatal = false;
        for (const auto& p : (*z)["failover"]) {
            if (p["provider"] == "pa-dns.test") fatal = p["survives"] == false;
        }
        CHECK(fatal);
    }
}

TEST_CASE("audit: progress bar only when asked, --out") {
    char path[] = "/tmp/nswatch-audit-lab-XXXXXX";
    const int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    const std::string base = std::string(NSWATCH_BIN) + " audit shop.test --no-ipv6 --timeout 1s " +
                             "--root-hints " + nswatch::lab::root_hints() + " --format markdown " +
                             "--out " + path;
    auto capture = [](const std::string& cmd) {
        std::string out;
        FILE* p = popen((cmd + " 2>&1").c_str(), "r");
        REQUIRE(p != nullptr);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
        pclose(p);
        return out;
    };
    const std::string piped = capture(base);
    CHECK(piped == "report written to " + std::string(path) + "\n");
    const std::string forced = capture(base + " --progress always");
    CHECK_THAT(forced, Catch::Contains("100%"));
    std::ifstream file(path);
    const std::string report((std::istreambuf_iterator<char>(file)), {});
    std::remove(path);
    // The one finding is SRV-NSID, an INFO (the lab's BIND and Knot return an NSID).
    CHECK_THAT(report, Catch::Contains("| shop.test | OK | 100 | 1 info |"));
}

TEST_CASE("audit: -c with two catalogs audits the members of both, each zone once") {
    // knot-catalog.lab: shop.test, gamma-dns.test; fixed-catalog.lab: shop.test, alpha-dns.test.
    const TempConfig config(
        "root_hints: " + nswatch::lab::root_hints() +
        "\n"
        "zones_from:\n"
        "  - {catalog: knot-catalog.lab, primary: 127.53.3.1, source: 127.63.0.1}\n"
        "  - {catalog: fixed-catalog.lab, primary: 127.53.1.1, source: 127.63.0.1}\n");
    const nswatch::lab::CommandRun r = nswatch::lab::run_nswatch(
        "audit -c " + config.path + " --format json --no-ipv6 --timeout 1s");
    INFO(r.out);
    const auto j = nlohmann::json::parse(r.out);
    std::vector<std::string> zones;
    for (const auto& z : j["zones"]) {
        zones.push_back(z["zone"].get<std::string>());
        CHECK(z["score"].is_number());
        CHECK_FALSE(z["failover"].empty());
    }
    std::sort(zones.begin(), zones.end());
    CHECK(zones == std::vector<std::string>{"alpha-dns.test", "gamma-dns.test", "shop.test"});
    // shop.test, the zone both list, is the lab's healthy three-provider zone.
    const auto* shop = zone_of(j, "shop.test");
    REQUIRE(shop != nullptr);
    CHECK(finding_ids(*shop).empty());
    CHECK(r.exit_code != 3);
}
