// Driving Debian's prometheus from the lab tests: a child process stopped by pid, Prometheus' HTTP
// API on a given listen address, and the check that every query of the shipped Grafana dashboard
// returns data (used on a Prometheus that scrapes nswatch directly and on one that federates).
// Header-only; needs Catch2 and libcurl. The child process and HTTP GET are lab_process.hpp's.
#pragma once

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lab_process.hpp"

#ifndef NSWATCH_SOURCE_DIR
#error "NSWATCH_SOURCE_DIR (the source tree, a string literal) must be defined for the lab tests"
#endif

namespace nswatch::lab::prom {

using nswatch::lab::Child;
using nswatch::lab::http_get;

inline std::string escape(const std::string& s) {
    char* e = curl_easy_escape(nullptr, s.c_str(), static_cast<int>(s.size()));
    std::string out(e);
    curl_free(e);
    return out;
}

/// Prometheus' HTTP API at LISTEN: GET PATH?QUERY, the "data" member of a successful answer,
/// else null.
inline nlohmann::json api(const std::string& listen, const std::string& path_and_query) {
    const std::string body = http_get(listen, path_and_query);
    if (body.empty()) return nullptr;
    const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || j.value("status", "") != "success") return nullptr;
    return j["data"];
}

/// Instant query at LISTEN; the result vector (or null if the query failed).
inline nlohmann::json instant_query(const std::string& listen, const std::string& promql) {
    const nlohmann::json data = api(listen, "/api/v1/query?query=" + escape(promql));
    if (data.is_null() || data["resultType"] != "vector") return nullptr;
    return data["result"];
}

/// Debian's prometheus with CONFIG, its TSDB in STORAGE, listening on LISTEN (log: LOG).
inline std::vector<std::string> prometheus_argv(const std::filesystem::path& config,
                                                const std::filesystem::path& storage,
                                                const std::string& listen) {
    return {"prometheus", "--config.file=" + config.string(),
            "--storage.tsdb.path=" + storage.string(), "--web.listen-address=" + listen};
}

/// Grafana's variable syntaxes: $name, ${name}, ${name:format}, [[name]]. Throws on a variable
/// it does not know, so a new variable in the dashboard needs a value here.
inline std::string substitute(const std::string& expr,
                              const std::map<std::string, std::string>& vars) {
    static const std::regex var(R"(\$\{(\w+)(?::[\w]+)?\}|\$(\w+)|\[\[(\w+)\]\])");
    std::string out;
    auto begin = expr.cbegin();
    for (std::sregex_iterator it(expr.begin(), expr.end(), var), end; it != end; ++it) {
        const auto& m = *it;
        const std::string name = m[1].matched ? m[1].str() : m[2].matched ? m[2].str() : m[3].str();
        const auto v = vars.find(name);
        if (v == vars.end()) throw std::runtime_error("unknown variable $" + name + " in: " + expr);
        out.append(begin, m[0].first);
        out += v->second;
        begin = m[0].second;
    }
    out.append(begin, expr.cend());
    return out;
}

/// Every PromQL expression of the dashboard, with the title of its panel (rows, also collapsed
/// ones, hold panels of their own).
inline void collect_targets(const nlohmann::json& panels,
                            std::vector<std::pair<std::string, std::string>>& out) {
    for (const auto& p : panels) {
        if (p.contains("panels")) collect_targets(p["panels"], out);
        if (!p.contains("targets")) continue;
        for (const auto& t : p["targets"]) {
            if (t.contains("expr")) {
                out.emplace_back(p.value("title", "?") + " [" + t.value("refId", "?") + "]",
                                 t["expr"].get<std::string>());
            }
        }
    }
}

inline bool has_value(const nlohmann::json& result) {
    for (const auto& series : result) {
        const std::string v = series["value"][1].get<std::string>();
        if (v != "NaN" && v != "+Inf" && v != "-Inf") return true;
    }
    return false;
}

/// grafana/nswatch-dashboard.json, parsed.
inline nlohmann::json dashboard() {
    std::ifstream file(std::string(NSWATCH_SOURCE_DIR) + "/grafana/nswatch-dashboard.json");
    if (!file.good()) throw std::runtime_error("cannot read grafana/nswatch-dashboard.json");
    return nlohmann::json::parse(file);
}

/// Runs the dashboard against the Prometheus at LISTEN as Grafana would, with Catch CHECKs:
/// each template variable's label_values() must find values (returned by variable name), and
/// every panel query must return a series with a value, once with "All" selected (Grafana sends
/// the variable's allValue) and once with PROVIDER and VANTAGE selected. ZONE is the zone shown.
/// The rate window is 10 s: the callers probe and scrape every second.
inline std::map<std::string, std::vector<std::string>> check_dashboard_queries(
    const std::string& listen, const std::string& zone, const std::string& provider,
    const std::string& vantage) {
    const nlohmann::json board = dashboard();
    std::vector<std::pair<std::string, std::string>> targets;
    collect_targets(board["panels"], targets);
    CHECK(targets.size() >= 10);

    std::map<std::string, std::vector<std::string>> variable_values;
    for (const auto& v : board["templating"]["list"]) {
        if (v["type"] != "query") continue;
        const nlohmann::json& q = v["query"];
        const std::string query =
            q.is_string() ? q.get<std::string>() : q["query"].get<std::string>();
        static const std::regex label_values(R"(^\s*label_values\((.+),\s*(\w+)\)\s*$)");
        std::smatch m;
        INFO("variable " << v["name"] << ": " << query);
        REQUIRE(std::regex_match(query, m, label_values));
        const std::string match = substitute(m[1].str(), {{"zone", zone}});
        const nlohmann::json values =
            api(listen, "/api/v1/label/" + m[2].str() + "/values?match[]=" + escape(match));
        REQUIRE(!values.is_null());
        CHECK(!values.empty());
        for (const auto& x : values)
            variable_values[v["name"].get<std::string>()].push_back(x.get<std::string>());
    }

    const std::map<std::string, std::string> common{
        {"zone", zone},
        {"window", "10s"},  // the dashboard's rate window (5m by default; probes here run every 1s)
        {"__rate_interval", "10s"},
        {"__interval", "2s"},
        {"__range", "1m"},
        {"__range_s", "60"},
        {"__range_ms", "60000"},
    };
    auto all = common;
    all["provider"] = ".+";
    all["vantage"] = ".+";
    auto one = common;
    one["provider"] = provider;
    one["vantage"] = vantage;
    for (const auto& vars : {all, one}) {
        for (const auto& [panel, expr] : targets) {
            const std::string promql = substitute(expr, vars);
            INFO(panel << " (provider=" << vars.at("provider") << ", vantage=" << vars.at("vantage")
                       << "): " << promql);
            const nlohmann::json result = instant_query(listen, promql);
            CHECK(!result.is_null());  // valid PromQL
            if (result.is_null()) continue;
            CHECK(!result.empty());
            CHECK(has_value(result));
        }
    }
    return variable_values;
}

}  // namespace nswatch::lab::prom
