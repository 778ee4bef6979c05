// `nswatch check` end to end on the lab: the real binary, its JSON and its exit codes.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "lab_env.hpp"
#include "lab_process.hpp"

namespace {

nlohmann::json check_json(const std::string& extra = "") {
    const nswatch::lab::CommandRun r =
        nswatch::lab::run_nswatch("check shop.test --json --timeout 700ms --root-hints " +
                                  nswatch::lab::root_hints() + " " + extra);
    INFO(r.out);
    return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("check on the healthy lab: 24 probes, one serial, exit 0") {
    const nswatch::lab::CommandRun r = nswatch::lab::run_nswatch(
        "check shop.test --json --root-hints " + nswatch::lab::root_hints());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "OK");
    const auto& z = j["zones"][0];
    CHECK(z["delegation"]["ns_sets_agree"] == true);
    CHECK(z["probes"].size() == 24);  // 6 names x 2 addresses x UDP+TCP
    const uint32_t serial = nswatch::lab::serial(nswatch::lab::kPrimaryV4);
    CHECK(z["newest_serial"] == serial);
    for (const auto& p : z["probes"]) {
        INFO(p.dump());
        CHECK(p["outcome"] == "ok");
        CHECK(p["flags"]["aa"] == true);
        CHECK(p["serial_state"] == "current");
        CHECK(p["soa"]["serial"] == serial);
    }
}

TEST_CASE("check prints a table grouped by provider and a summary line") {
    const nswatch::lab::CommandRun r = nswatch::lab::run_nswatch(
        "check shop.test --colour never --root-hints " + nswatch::lab::root_hints());
    INFO(r.out);
    CHECK(r.exit_code == 0);
    // First the monitoring-plugins line (status, summary, performance data), then the report.
    CHECK_THAT(r.out, Catch::StartsWith("NSWATCH OK - shop.test: serial "));
    CHECK_THAT(r.out, Catch::Contains(" | 'shop.test 127.53.1.1 udp rtt'="));
    CHECK_THAT(r.out, Catch::Contains("'shop.test 127.53.1.1 serial lag'=0;;;0"));
    CHECK_THAT(r.out, Catch::Contains("\nOK  shop.test"));
    CHECK_THAT(r.out, Catch::Contains("parent and zone NS sets agree"));
    CHECK_THAT(r.out, Catch::Contains("PROVIDER"));
    CHECK_THAT(r.out, Catch::Contains("ns2.gamma-dns.test"));
    CHECK_THAT(r.out, Catch::Contains("fd00:53::2:1"));
    CHECK_THAT(r.out, Catch::Contains("24/24 probes answered, 3 providers"));
    // Grouped: every alpha row comes before the first beta row.
    CHECK(r.out.rfind("alpha-dns.test  ") < r.out.find("beta-dns.test  "));
}

TEST_CASE("a secondary frozen with SIGSTOP is a timeout, not lag: exit 2 (provider down)") {
    nswatch::lab::freeze("beta");
    const auto j = check_json();
    nswatch::lab::thaw("beta");
    CHECK(j["status"] == "CRITICAL");
    CHECK(j["exit_code"] == 2);
    const auto& z = j["zones"][0];
    CHECK(z["lagging_providers"].empty());
    int timeouts = 0;
    for (const auto& p : z["probes"]) {
        if (p["provider"] == "beta-dns.test") {
            CHECK(p["outcome"] == "timeout");
            CHECK(p["serial_state"] == "no_answer");
            ++timeouts;
        } else {
            CHECK(p["outcome"] == "ok");
        }
    }
    CHECK(timeouts == 8);
    bool named = false;
    for (const auto& f : z["findings"]) {
        if (f["text"] == "provider beta-dns.test answers no probe")
            named = f["severity"] == "CRITICAL";
    }
    CHECK(named);
}

TEST_CASE("a secondary whose transfers are blocked falls behind: exit 1, provider named") {
    nswatch::lab::block_xfr("gamma");
    const uint32_t before = nswatch::lab::serial(nswatch::lab::kGammaNs1V4);
    const uint32_t now = nswatch::lab::bump();
    // Wait until the other secondary has the new serial, so only gamma can be behind.
    for (int i = 0; i < 50 && nswatch::lab::serial(nswatch::lab::kBetaNs2V6) != now; ++i) {
        usleep(100000);
    }
    const auto j = check_json();
    nswatch::lab::unblock_xfr("gamma");
    nswatch::lab::notify();
    nswatch::lab::wait_sync(20);
    const auto& z = j["zones"][0];
    CHECK(j["status"] == "WARNING");
    CHECK(z["newest_serial"] == now);
    CHECK(z["lagging_providers"] == nlohmann::json::array({"gamma-dns.test"}));
    for (const auto& p : z["probes"]) {
        if (p["provider"] == "gamma-dns.test") {
            CHECK(p["serial_state"] == "behind");
            CHECK(p["soa"]["serial"] == before);
            CHECK(p["behind_by"] == now - before);
        } else {
            CHECK(p["serial_state"] == "current");
        }
    }
}

TEST_CASE("check of a zone the parent says does not exist is CRITICAL (exit 2)") {
    const nswatch::lab::CommandRun r = nswatch::lab::run_nswatch(
        "check nosuchzone.test --json --root-hints " + nswatch::lab::root_hints());
    INFO(r.out);
    CHECK(r.exit_code == 2);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "CRITICAL");
    const auto& z = j["zones"][0];
    CHECK(z["delegation_missing"]["reason"] == "parent_nxdomain");
    const std::string detail = z["delegation_missing"]["detail"];
    CHECK((detail.find(std::string(nswatch::lab::kTldV4)) != std::string::npos ||
           detail.find(std::string(nswatch::lab::kTldV6)) != std::string::npos));
    CHECK_THAT(z["summary"].get<std::string>(), Catch::Contains("NXDOMAIN"));
}

TEST_CASE("check of a zone whose parent cannot be asked is UNKNOWN (exit 3)") {
    // A root that nobody serves: every query fails, nobody says anything about the zone.
    const std::string hints = "/tmp/nswatch-deadroot-" + std::to_string(getpid()) + ".hints";
    std::ofstream(hints) << ".  3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.0.9\n";
    const nswatch::lab::CommandRun r = nswatch::lab::run_nswatch(
        "check shop.test --json --no-ipv6 --timeout 300ms --root-hints " + hints);
    std::remove(hints.c_str());
    INFO(r.out);
    CHECK(r.exit_code == 3);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "UNKNOWN");
    CHECK(j["zones"][0]["delegation_missing"].is_null());
}

TEST_CASE(
    "check with nameservers listed in the config skips discovery and uses configured providers") {
    const std::string path = "/tmp/nswatch-static-" + std::to_string(getpid()) + ".yml";
    {
        std::ofstream f(path);
        f << "zones:\n  - name: shop.test\n    nameservers:\n"
          << "      - {name: ns1.alpha-dns.test, addresses: [127.53.1.1], provider: primary-co}\n"
          << "      - {name: ns1.beta-dns.test, addresses: ['fd00:53::2:1'], provider: "
             "second-co}\n";
    }
    const nswatch::lab::CommandRun r = nswatch::lab::run_nswatch("check --json -c " + path);
    std::remove(path.c_str());
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    const auto& z = j["zones"][0];
    CHECK(z["delegation"]["from_config"] == true);
    CHECK(z["probes"].size() == 4);
    std::set<std::string> providers;
    for (const auto& p : z["probes"]) providers.insert(p["provider"].get<std::string>());
    CHECK(providers == std::set<std::string>{"primary-co", "second-co"});
}

namespace {

// A config whose zones come from a catalog only (zones_from), in a scratch directory.
std::string catalog_config(const std::string& name, const std::string& zones_from) {
    const std::filesystem::path file =
        nswatch::lab::scratch_dir("nswatch-check-" + name) / "nswatch.yml";
    std::ofstream(file) << "root_hints: " << nswatch::lab::root_hints() << "\n"
                        << "zones_from: " << zones_from << "\n";
    return file.string();
}

}  // namespace

TEST_CASE("check -c with zones_from.catalog checks the catalog's members, one AXFR") {
    // Knot generates knot-catalog.lab from its member zones: shop.test and gamma-dns.test.
    const std::string cfg = catalog_config(
        "catalog", "{catalog: knot-catalog.lab, primary: 127.53.3.1, source: 127.63.0.1}");
    const nswatch::lab::CommandRun r =
        nswatch::lab::run_nswatch("check -c " + cfg + " --json --timeout 700ms");
    INFO(r.out);
    const auto j = nlohmann::json::parse(r.out);
    std::set<std::string> zones;
    for (const auto& z : j["zones"]) {
        zones.insert(z["zone"].get<std::string>());
        CHECK_FALSE(z["probes"].empty());
    }
    CHECK(zones == std::set<std::string>{"gamma-dns.test", "shop.test"});
    CHECK(r.exit_code != 3);
}

TEST_CASE("check -c with two catalogs checks the members of both, each zone once") {
    // knot-catalog.lab: shop.test, gamma-dns.test; fixed-catalog.lab: shop.test, alpha-dns.test.
    const std::string cfg = catalog_config(
        "two-catalogs",
        "[{catalog: knot-catalog.lab, primary: 127.53.3.1, source: 127.63.0.1},\n"
        "             {catalog: fixed-catalog.lab, primary: 127.53.1.1, source: 127.63.0.1}]");
    const nswatch::lab::CommandRun r =
        nswatch::lab::run_nswatch("check -c " + cfg + " --json --timeout 700ms");
    INFO(r.out);
    const auto j = nlohmann::json::parse(r.out);
    std::vector<std::string> zones;
    for (const auto& z : j["zones"]) zones.push_back(z["zone"].get<std::string>());
    std::sort(zones.begin(), zones.end());
    CHECK(zones == std::vector<std::string>{"alpha-dns.test", "gamma-dns.test", "shop.test"});
    CHECK(r.exit_code != 3);
}

TEST_CASE("check -c with a catalog that cannot be used is UNKNOWN and says why") {
    const std::string cfg = catalog_config(
        "notcatalog", "{catalog: shop.test, primary: 127.53.1.1, source: 127.63.0.1}");
    const nswatch::lab::CommandRun r =
        nswatch::lab::run_nswatch("check -c " + cfg + " --json --timeout 700ms");
    INFO(r.out);
    CHECK(r.exit_code == 3);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "UNKNOWN");
    CHECK_THAT(j["error"].get<std::string>(),
               Catch::Contains("zones_from.catalog shop.test: catalog shop.test has no "
                               "version.shop.test. TXT record"));
}
