// A fleet of nswatch instances seen through Prometheus federation (docs/FLEET.md): two daemons
// probe the lab from two vantages (each its own source address and `vantage` name), each is
// scraped by its own regional Prometheus, and a global Prometheus federates both (`/federate`,
// honor_labels) and runs the shipped rules (grafana/nswatch-rules.yml). A provider cut off from
// one vantage (nftables, by source address) must fire only the per-vantage alert; the provider
// frozen as well must fire the cross-vantage alert, with the per-vantage series of both instances
// on the global Prometheus; back again, the alerts must end. The Grafana dashboard must work on
// the global Prometheus as it does on a regional one.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fleet.hpp"
#include "lab_env.hpp"
#include "prometheus_env.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
namespace lab = nswatch::lab;
namespace prom = nswatch::lab::prom;
namespace fleet = nswatch::lab::fleet;
using fleet::kGlobalListen;
using fleet::kRegions;

namespace {

constexpr const char* kCrossVantageAlert = "NswatchProviderDownFromSeveralVantages";

fs::path scratch() {
    return nswatch::lab::scratch_dir("nswatch-federation-test");
}

json query(const std::string& promql) {
    return prom::instant_query(kGlobalListen, promql);
}

/// The global Prometheus' active (pending or firing) alerts, or null if it did not answer.
json active_alerts() {
    const json data = prom::api(kGlobalListen, "/api/v1/alerts");
    return data.is_null() ? json() : data["alerts"];
}

std::vector<json> firing(const json& alerts, const std::string& name) {
    std::vector<json> out;
    if (alerts.is_null()) return out;
    for (const auto& a : alerts) {
        if (a["labels"].value("alertname", "") == name && a["state"] == "firing") out.push_back(a);
    }
    return out;
}

/// The global Prometheus' rules of the shipped group "nswatch", or null.
json nswatch_rules() {
    const json data = prom::api(kGlobalListen, "/api/v1/rules");
    if (data.is_null()) return nullptr;
    for (const auto& g : data["groups"]) {
        if (g["name"] == "nswatch") return g["rules"];
    }
    return nullptr;
}

bool eventually(const std::function<bool()>& pred, std::chrono::seconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(250ms);
    }
    return pred();
}

/// "vantage=value,..." of each series in a query result, sorted: compact to compare and print.
std::multiset<std::string> series_of(const json& result, const std::vector<std::string>& labels) {
    std::multiset<std::string> out;
    if (result.is_null()) return out;
    for (const auto& s : result) {
        std::string key;
        for (const auto& l : labels) {
            key += (key.empty() ? "" : ",") + l + "=" + s["metric"].value(l, "-");
        }
        out.insert(key + " " + s["value"][1].get<std::string>());
    }
    return out;
}

std::multiset<std::string> provider_up(const std::string& provider) {
    return series_of(query("nswatch_provider_up{zone=\"shop.test\",provider=\"" + provider + "\"}"),
                     {"vantage", "region", "instance", "job"});
}

std::multiset<std::string> expected_provider_up(const std::string& value) {
    std::multiset<std::string> out;
    for (const auto& r : kRegions) {
        out.insert("vantage=" + r.vantage + ",region=" + r.vantage +
                   ",instance=" + r.nswatch_listen + ",job=nswatch " + value);
    }
    return out;
}

}  // namespace

TEST_CASE(
    "federation: a global Prometheus over two vantages: beta cut off from one -> per-vantage "
    "alert only, beta frozen -> the cross-vantage alert, back -> resolved",
    "[prometheus][federation]") {
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(std::system("command -v prometheus >/dev/null") == 0);  // Debian's prometheus package

    lab::wait_sync(20);
    const fs::path dir = scratch();
    fleet::Fleet fleet(dir);

    // Enough federated samples from both vantages for rate() over 10 s: 6 each.
    const bool scraped = eventually(
        [&] {
            if (!fleet.running()) return true;  // fail below, with the logs
            const json r = query(
                "min by (vantage) (count_over_time(nswatch_probes_total{outcome=\"ok\"}[1m]))");
            if (r.is_null() || r.size() != 2) return false;
            for (const auto& s : r) {
                if (std::stod(s["value"][1].get<std::string>()) < 6) return false;
            }
            return true;
        },
        40s);
    INFO("logs (fra1 nswatch, fra1 prometheus, nyc1 nswatch, nyc1 prometheus, global):\n"
         << fleet.logs());
    REQUIRE(fleet.running());
    REQUIRE(scraped);

    // Each instance's series reach the global Prometheus with their own labels: vantage (set by
    // nswatch), instance and job (of the regional scrape, kept by honor_labels) and region (the
    // regional Prometheus' external label).
    CHECK(provider_up("beta") == expected_provider_up("1"));
    CHECK(series_of(query("up{job=\"nswatch\"}"), {"instance", "region"}) ==
          std::multiset<std::string>{"instance=127.0.0.1:19463,region=fra1 1",
                                     "instance=127.0.0.1:19464,region=nyc1 1"});
    CHECK(series_of(query("up{job=\"federate\"}"), {"instance"}) ==
          std::multiset<std::string>{"instance=127.0.0.1:19481 1", "instance=127.0.0.1:19482 1"});

    // The shipped rules load and evaluate on federated data; on the healthy lab nothing fires.
    std::set<std::string> rule_names;
    {
        std::ifstream rules_file(std::string(NSWATCH_SOURCE_DIR) + "/grafana/nswatch-rules.yml");
        for (std::string line; std::getline(rules_file, line);) {
            const auto at = line.find("- alert: ");
            if (at != std::string::npos) rule_names.insert(line.substr(at + 9));
        }
    }
    REQUIRE(rule_names.count(kCrossVantageAlert) == 1);
    CHECK(eventually(
        [&] {
            const json rules = nswatch_rules();
            if (rules.is_null() || rules.size() != rule_names.size()) return false;
            for (const auto& r : rules) {
                if (r.value("health", "") != "ok") return false;
            }
            return true;
        },
        10s));
    {
        const json rules = nswatch_rules();
        INFO("rules: " << rules.dump(1));
        REQUIRE(!rules.is_null());
        std::set<std::string> loaded;
        for (const auto& r : rules) {
            loaded.insert(r["name"].get<std::string>());
            CHECK(r.value("health", "") == "ok");
            CHECK(r.value("lastError", "") == "");
        }
        CHECK(loaded == rule_names);
    }
    {
        const json alerts = active_alerts();
        INFO("active alerts on the healthy lab: " << alerts.dump(1));
        REQUIRE(!alerts.is_null());
        CHECK(alerts.empty());
    }

    // A change, so the propagation panel has a run from each vantage; then the whole dashboard.
    lab::bump();
    CHECK(eventually(
        [] {
            const json r = query("nswatch_propagation_last_seconds{zone=\"shop.test\"}");
            return !r.is_null() && r.size() == 6;  // 3 providers x 2 vantages
        },
        15s));
    const auto variables =
        prom::check_dashboard_queries(kGlobalListen, std::string(lab::kZone), "beta", "nyc1");
    using Catch::Matchers::VectorContains;
    CHECK_THAT(variables.at("vantage"), VectorContains(std::string("fra1")));
    CHECK_THAT(variables.at("vantage"), VectorContains(std::string("nyc1")));
    CHECK_THAT(variables.at("provider"), VectorContains(std::string("beta")));

    {
        // beta cut off from fra1 only: down from one vantage is that vantage's network, so the
        // per-vantage alert fires for fra1 and the cross-vantage one stays quiet.
        fleet::CutOff cut(kRegions[0], dir / "cutoff.nft");
        const bool down_from_fra1 = eventually(
            [] {
                for (const auto& a : firing(active_alerts(), "NswatchProviderDown")) {
                    if (a["labels"].value("vantage", "") == "fra1") return true;
                }
                return false;
            },
            20s);
        // Three more evaluations on federated data (1 s each) in which it must not fire.
        bool cross_fired = false;
        const auto quiet_until = std::chrono::steady_clock::now() + 3s;
        while (std::chrono::steady_clock::now() < quiet_until) {
            cross_fired |= !firing(active_alerts(), kCrossVantageAlert).empty();
            std::this_thread::sleep_for(250ms);
        }
        const json alerts = active_alerts();
        INFO("active alerts with beta cut off from fra1: " << alerts.dump(1));
        REQUIRE(down_from_fra1);
        CHECK_FALSE(cross_fired);
        std::multiset<std::string> down_from;
        for (const auto& a : firing(alerts, "NswatchProviderDown")) {
            down_from.insert(a["labels"].value("provider", "") + "@" +
                             a["labels"].value("vantage", ""));
        }
        CHECK(down_from == std::multiset<std::string>{"beta@fra1"});
        CHECK(provider_up("beta") ==
              std::multiset<std::string>{
                  "vantage=fra1,region=fra1,instance=127.0.0.1:19463,job=nswatch 0",
                  "vantage=nyc1,region=nyc1,instance=127.0.0.1:19464,job=nswatch 1"});

        // beta (NSD) stopped as well: every address times out from both vantages.
        lab::Frozen frozen(lab::kBeta);
        const bool fired =
            eventually([] { return !firing(active_alerts(), kCrossVantageAlert).empty(); }, 20s);
        const json both = active_alerts();
        INFO("active alerts with beta frozen: " << both.dump(1));
        REQUIRE(fired);
        const auto cross = firing(both, kCrossVantageAlert);
        REQUIRE(cross.size() == 1);  // beta only, once: not per vantage
        const json& labels = cross[0]["labels"];
        CHECK(labels.value("zone", "") == "shop.test");
        CHECK(labels.value("provider", "") == "beta");
        CHECK(labels.value("severity", "") == "critical");
        CHECK_FALSE(labels.contains("vantage"));
        CHECK(cross[0]["annotations"].value("summary", "") ==
              "provider beta is down for shop.test from 2 vantages");
        // The per-vantage view: both instances' series say beta is down, each with its vantage,
        // and the per-vantage alert fires once per vantage.
        CHECK(provider_up("beta") == expected_provider_up("0"));
        CHECK(provider_up("alpha") == expected_provider_up("1"));
        CHECK(provider_up("gamma") == expected_provider_up("1"));
        std::multiset<std::string> down_from_both;
        for (const auto& a : firing(both, "NswatchProviderDown")) {
            down_from_both.insert(a["labels"].value("provider", "") + "@" +
                                  a["labels"].value("vantage", ""));
        }
        CHECK(down_from_both == std::multiset<std::string>{"beta@fra1", "beta@nyc1"});
    }

    // Thawed and reachable again: beta answers from both vantages and the alerts end.
    const bool resolved = eventually(
        [] {
            const json alerts = active_alerts();
            return !alerts.is_null() && firing(alerts, kCrossVantageAlert).empty() &&
                   firing(alerts, "NswatchProviderDown").empty();
        },
        20s);
    INFO("active alerts after beta came back: " << active_alerts().dump(1));
    CHECK(resolved);
    CHECK(provider_up("beta") == expected_provider_up("1"));
    bool inactive = false;
    for (const auto& r : nswatch_rules()) {
        if (r["name"] == kCrossVantageAlert) inactive = r["state"] == "inactive";
    }
    CHECK(inactive);

    fleet.stop();
    CHECK(std::chrono::steady_clock::now() - started < 90s);
}
