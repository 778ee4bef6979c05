// Multi-signer DNSSEC (RFC 8901) on the lab's defect zones (tests/lab/audit_zones.sh): providers
// pa and pb each sign with their own key. multisigner.test: pb's DNSKEY set lacks pa's key;
// cds.test: their CDS sets differ; bogus.test: pb's SOA changed after signing; expiring.test: pb's
// signatures end in a day. `nswatch audit` and the daemon both find them, naming the provider.
// nsec.test and nsec3.test are signed once and served alike by both: the daemon's reference check
// asks them names and types that do not exist, and every real NSEC and NSEC3 denial proves its
// answer (no zone_drift).
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "lab_env.hpp"
#include "lab_process.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kListen = "127.0.0.1:19283";

std::string audit_zones_sh(const std::string& cmd) {
    return "bash " NSWATCH_SOURCE_DIR "/tests/lab/audit_zones.sh " + cmd + " " +
           nswatch::lab::lab_dir();
}

struct DefectZones {
    DefectZones() { REQUIRE(std::system((audit_zones_sh("up") + " >&2").c_str()) == 0); }
    ~DefectZones() { std::system((audit_zones_sh("down") + " >&2").c_str()); }
    DefectZones(const DefectZones&) = delete;
    DefectZones& operator=(const DefectZones&) = delete;
};

std::string run(const std::string& args) {
    const std::string cmd = std::string(NSWATCH_BIN) + " " + args + " 2>/dev/null";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

/// The non-INFO findings of `zone` in audit JSON: id -> evidence lines joined.
std::map<std::string, std::string> findings(const nlohmann::json& j, const std::string& zone) {
    std::map<std::string, std::string> out;
    for (const auto& z : j["zones"]) {
        if (z["zone"] != zone) continue;
        for (const auto& f : z["findings"]) {
            if (f["severity"] == "INFO") continue;
            std::string ev;
            for (const auto& e : f["evidence"]) ev += e.get<std::string>() + "\n";
            out[f["id"]] = ev;
        }
    }
    return out;
}

struct Daemon {
    fs::path dir;
    std::optional<nswatch::lab::Child> child;
    explicit Daemon(const fs::path& d) : dir(d) {
        std::ofstream(dir / "nswatch.yml")
            << "root_hints: " << nswatch::lab::root_hints() << "\n"
            << "probe: {timeout: 400ms, interval: 1s, jitter: 0%, dnssec_ok: true, "
               "answers_every: 1}\n"
            << "discovery: {interval: 1h, timeout: 500ms}\n"
            << "storage: {path: history.db}\n"
            << "providers:\n"
            << "  - {name: pa, patterns: ['*.pa-dns.test']}\n"
            << "  - {name: pb, patterns: ['*.pb-dns.test']}\n"
            << "alerts:\n  evaluation_interval: 1s\n  state_path: alerts.db\n"
            << "  rules: {keyset_mismatch: {for: 0s}}\n"
            << "http: {listen: '" << kListen << "'}\n"
            << "zones:\n  - {name: multisigner.test}\n  - {name: cds.test}\n"
            << "  - {name: bogus.test}\n  - {name: expiring.test}\n  - {name: clean.test}\n";
        for (const char* z : {"nsec", "nsec3"}) {
            std::ofstream(dir / "nswatch.yml", std::ios::app)
                << "  - {name: " << z << ".test, reference: {file: '" << nswatch::lab::lab_dir()
                << "/audit/pa/" << z << ".test.zone', every: 1m, negative_per_round: 2}}\n";
        }
        child.emplace(nswatch::lab::nswatch_run_argv(dir / "nswatch.yml"), dir / "daemon.log");
    }
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;
};

struct AlertRow {
    std::string rule;
    nlohmann::json labels;
    std::string summary;
};

/// Firing or pending alerts in the daemon's alert state file.
std::vector<AlertRow> alerts(const fs::path& db) {
    std::vector<AlertRow> out;
    sqlite3* h = nullptr;
    if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(h);
        return out;
    }
    sqlite3_busy_timeout(h, 2000);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(h, "SELECT rule, labels, summary FROM alert_state", -1, &st, nullptr);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        AlertRow a;
        a.rule = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        a.labels = nlohmann::json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)),
                                         nullptr, false);
        a.summary = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
        out.push_back(std::move(a));
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return out;
}

/// The value of the series `name` whose labels include every one of `labels` ("zone=\"x\""), or
/// -1 when /metrics has none.
double metric(const std::string& body, const std::string& name,
              const std::vector<std::string>& labels) {
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(name + "{", 0) != 0) continue;
        bool all = true;
        for (const auto& l : labels) all = all && line.find(l) != std::string::npos;
        if (all) return std::stod(line.substr(line.rfind(' ') + 1));
    }
    return -1;
}

std::string key_of(const AlertRow& a) {
    return a.rule + " " + a.labels.value("zone", "") + " " + a.labels.value("provider", "") + " " +
           a.labels.value("rrtype", "");
}

}  // namespace

TEST_CASE(
    "multisigner: audit and daemon name the provider lacking a key, a bogus and an expiring "
    "signer") {
    DefectZones servers;

    const std::string out =
        run("audit multisigner.test cds.test bogus.test expiring.test --format json --timeout 1s "
            "--root-hints " +
            nswatch::lab::root_hints());
    INFO(out);
    const auto j = nlohmann::json::parse(out);
    const auto ms = findings(j, "multisigner.test");
    REQUIRE(ms.count("DNSSEC-KEYSET") == 1);
    CHECK_THAT(ms.at("DNSSEC-KEYSET"),
               Catch::Contains("ns1.pb-dns.test (127.62.2.1) lacks 1 of 2 DNSKEYs"));
    const auto cds = findings(j, "cds.test");
    REQUIRE(cds.count("DNSSEC-CDS") == 1);
    CHECK_THAT(cds.at("DNSSEC-CDS"), Catch::Contains("ns1.pb-dns.test"));
    CHECK_THAT(cds.at("DNSSEC-CDS"), Catch::Contains("ns1.pa-dns.test"));
    CHECK(cds.count("DNSSEC-KEYSET") == 0);

    const fs::path dir = nswatch::lab::scratch_dir("nswatch-multisigner");
    Daemon daemon(dir);
    // What the daemon must report, and nothing else (clean.test is unsigned and healthy; pa serves
    // every zone correctly).
    const std::set<std::string> want = {
        "keyset_mismatch multisigner.test pb DNSKEY",
        "keyset_mismatch cds.test pa CDS",
        "keyset_mismatch cds.test pb CDS",
        "dnssec_invalid bogus.test pb ",
        "dnssec_invalid expiring.test pb ",
        // The zone-wide rule (threshold 7 days) sees pb's one-day signatures too.
        "dnssec_signature_expiry expiring.test  ",
    };
    std::vector<AlertRow> got;
    std::set<std::string> keys;
    const auto end = std::chrono::steady_clock::now() + 40s;
    while (std::chrono::steady_clock::now() < end) {
        got = alerts(dir / "alerts.db");
        keys.clear();
        for (const auto& a : got) keys.insert(key_of(a));
        if (keys == want) break;
        std::this_thread::sleep_for(500ms);
    }
    std::string seen;
    for (const auto& a : got) seen += key_of(a) + ": " + a.summary + "\n";
    INFO(seen);
    REQUIRE(keys == want);
    for (const auto& a : got) {
        const std::string k = key_of(a);
        if (k == "keyset_mismatch multisigner.test pb DNSKEY") {
            CHECK_THAT(a.summary, Catch::Matches(".*\\[pb\\] DNSKEY lacks [0-9]+/13 \\(served by "
                                                 "pa\\)"));
        } else if (k == "keyset_mismatch cds.test pb CDS") {
            CHECK_THAT(a.summary,
                       Catch::Matches(".*\\[pb\\] CDS lacks [0-9]+/13 \\(served by pa\\)"));
        } else if (k == "dnssec_invalid bogus.test pb ") {
            CHECK_THAT(a.summary, Catch::Contains("bogus.test. SOA RRSIG by"));
            CHECK_THAT(a.summary, Catch::Contains("does not verify (bogus)"));
            CHECK_THAT(a.summary, Catch::Contains("ns1.pb-dns.test [127.62.2.1]"));
        } else if (k == "dnssec_invalid expiring.test pb ") {
            CHECK_THAT(a.summary,
                       Catch::Matches("provider pb serves expiring\\.test with signatures that "
                                      "expire in 2[34]\\.[0-9] h, within the re-sign margin "
                                      "72\\.0 h"));
        }
    }
    // The reference checks of the two clean signed zones: at least 20 judged answers per provider
    // (two in three of them negative: a made-up name, an absent type), none differing. A denial
    // that failed to prove its answer would count as differing (no_denial).
    std::string body;
    auto judged_everywhere = [&] {
        for (const char* z : {"nsec.test", "nsec3.test"}) {
            for (const char* p : {"pa", "pb"}) {
                const std::vector<std::string> l = {std::string("zone=\"") + z + "\"",
                                                    std::string("provider=\"") + p + "\""};
                if (metric(body, "nswatch_reference_rrsets_checked_total", l) < 20) return false;
            }
        }
        return true;
    };
    const auto judged_by = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < judged_by) {
        body = nswatch::lab::http_get(kListen, "/metrics");
        if (judged_everywhere()) break;
        std::this_thread::sleep_for(1s);
    }
    REQUIRE(judged_everywhere());
    const auto status =
        nlohmann::json::parse(nswatch::lab::http_get(kListen, "/api/v1/status"), nullptr, false);
    INFO("zone_drift: " << (status.is_object() ? status.value("zone_drift", nlohmann::json()).dump()
                                               : std::string("no status")));
    for (const char* z : {"nsec.test", "nsec3.test"}) {
        for (const char* p : {"pa", "pb"}) {
            const std::vector<std::string> l = {std::string("zone=\"") + z + "\"",
                                                std::string("provider=\"") + p + "\""};
            INFO(z << " at " << p);
            CHECK(metric(body, "nswatch_reference_rrsets_differing", l) == 0);
        }
    }
}
