#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "exporter/http_server.hpp"
#include "exporter/probe_metrics.hpp"
#include "exporter/snapshot_collector.hpp"
#include "exporter/status_json.hpp"
#include "exporter_test_support.hpp"

using namespace nswatch;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

/// A server on a free loopback port with the sample snapshot and one probe counted.
struct Fixture {
    SnapshotPtr snapshot = test::sample_snapshot_ptr();
    std::shared_ptr<ProbeMetrics> metrics = std::make_shared<ProbeMetrics>("0.1.0-test");
    HttpServer server{test::http_options({"127.0.0.1:0"}),
                      [this] { return snapshot; },
                      {metrics, std::make_shared<SnapshotCollector>([this] { return snapshot; })}};

    Fixture() {
        const TargetState& t = snapshot->zones[0].targets[0];
        metrics->observe(to_probe_result(t.last, t.target.full()));
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(server.port()) + path;
    }
};

}  // namespace

TEST_CASE("HTTP server binds port 0 to a real port", "[exporter][http]") {
    Fixture f;
    CHECK(f.server.port() != 0);
    const auto r = test::http_fetch(f.url("/healthz"));
    CHECK(r.status == 200);
    CHECK(r.body == "ok\n");
}

TEST_CASE("HTTP server refuses an address in use", "[exporter][http]") {
    Fixture f;
    const HttpServerOptions same =
        test::http_options({"127.0.0.1:" + std::to_string(f.server.port())});
    CHECK_THROWS_AS(HttpServer(same, [] { return SnapshotPtr(); }, {}), std::runtime_error);
}

TEST_CASE("/metrics serves probe and snapshot series", "[exporter][http]") {
    Fixture f;
    const auto r = test::http_fetch(f.url("/metrics"));
    REQUIRE(r.status == 200);
    CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
    const std::string alpha =
        R"(family="ipv4",ip="192.0.2.1",nameserver="ns1.alpha.test",provider="alpha",)"
        R"(transport="udp",vantage="fra",zone="shop.test")";
    const std::string beta =
        R"(family="ipv6",ip="2001:db8::53",nameserver="ns1.beta.test",provider="beta",)"
        R"(transport="udp",vantage="fra",zone="shop.test")";
    CHECK_THAT(r.body, Contains("nswatch_build_info{version=\"0.1.0-test\"} 1"));
    CHECK_THAT(r.body, Contains(R"(nswatch_probes_total{family="ipv4",ip="192.0.2.1",)"
                                R"(nameserver="ns1.alpha.test",outcome="ok",provider="alpha",)"
                                R"(transport="udp",vantage="fra",zone="shop.test"} 1)"));
    CHECK_THAT(r.body, Contains("nswatch_probe_duration_seconds_count{" + alpha + "} 1"));
    CHECK_THAT(r.body, Contains("nswatch_probe_success{" + alpha + "} 1"));
    CHECK_THAT(r.body, Contains("nswatch_probe_success{" + beta + "} 0"));
    CHECK_THAT(r.body, Contains("nswatch_soa_serial{" + alpha + "} 2026112203"));
    CHECK_THAT(r.body, Contains("nswatch_serial_behind_versions{" + beta + "} 2"));
    CHECK_THAT(r.body, Contains("nswatch_serial_lag_seconds{" + beta + "} 120.5"));
    CHECK_THAT(r.body, Contains("nswatch_nameserver_up{" + beta + "} 0"));
    CHECK_THAT(r.body, Contains(R"(nsid="<script>alert(1)</script>")"));
    CHECK_THAT(
        r.body,
        Contains(R"(nswatch_provider_up{provider="beta",vantage="fra",zone="shop.test"} 0)"));
    CHECK_THAT(r.body, Contains(R"(nswatch_provider_lagging{provider="beta",vantage="fra",)"
                                R"(zone="shop.test"} 1)"));
    CHECK_THAT(r.body, Contains(R"(nswatch_zone_newest_serial{zone="shop.test"} 2026112203)"));
    CHECK_THAT(r.body, Contains(R"(nswatch_delegation_consistent{zone="shop.test"} 0)"));
    CHECK_THAT(r.body, Contains(R"(nswatch_zone_answers_consistent{zone="shop.test"} 1)"));
}

TEST_CASE("/metrics passes promtool check metrics", "[exporter][http][promtool]") {
    // scripts/bootstrap.sh installs Debian's prometheus package, which has promtool: a missing
    // promtool is a broken setup, not a reason to skip.
    REQUIRE(test::run_shell("command -v promtool 2>&1").first == 0);
    Fixture f;
    ProbeResult timeout = f.snapshot->recent_failures[0];
    f.metrics->observe(timeout);
    const auto r = test::http_fetch(f.url("/metrics"));
    REQUIRE(r.status == 200);
    const auto path = std::filesystem::temp_directory_path() /
                      ("nswatch-metrics-" + std::to_string(f.server.port()) + ".txt");
    std::ofstream(path) << r.body;
    const auto [status, output] =
        test::run_shell("promtool check metrics < " + path.string() + " 2>&1");
    std::filesystem::remove(path);
    INFO(output);
    CHECK(status == 0);
    CHECK(output.empty());
}

TEST_CASE("/api/v1/status round-trips the snapshot", "[exporter][http]") {
    Fixture f;
    const auto r = test::http_fetch(f.url("/api/v1/status"));
    REQUIRE(r.status == 200);
    CHECK(r.content_type == "application/json");
    const auto j = nlohmann::json::parse(r.body);
    CHECK(j == snapshot_to_json(*f.snapshot));
    const Snapshot back = snapshot_from_json(j);
    REQUIRE(back.zones.size() == 1);
    CHECK(back.zones[0].targets[0].last == f.snapshot->zones[0].targets[0].last);
}

TEST_CASE("HTTP server before the first snapshot", "[exporter][http]") {
    HttpServer server(test::http_options({"127.0.0.1:0"}), [] { return SnapshotPtr(); },
                      {std::make_shared<SnapshotCollector>([] { return SnapshotPtr(); })});
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    CHECK(test::http_fetch(base + "/api/v1/status").status == 503);
    CHECK(test::http_fetch(base + "/metrics").status == 200);
    CHECK(test::http_fetch(base + "/").status == 200);
    CHECK(test::http_fetch(base + "/healthz").status == 200);
}

TEST_CASE("/ serves the status page, escaped", "[exporter][http][html]") {
    Fixture f;
    const auto r = test::http_fetch(f.url("/"));
    REQUIRE(r.status == 200);
    CHECK(r.content_type == "text/html; charset=utf-8");
    CHECK_THAT(r.body, StartsWith("<!DOCTYPE html>"));
    CHECK_THAT(r.body, Contains("<h2>shop.test</h2>"));
    CHECK_THAT(r.body, Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(r.body.find("<script") == std::string::npos);
}

TEST_CASE("HTTP server answers 404, 405 and HEAD", "[exporter][http]") {
    Fixture f;
    CHECK(test::http_fetch(f.url("/nope")).status == 404);
    CHECK(test::http_fetch(f.url("/metrics/extra")).status == 404);
    CHECK(test::http_fetch(f.url("/metrics"), "POST").status == 405);
    CHECK(test::http_fetch(f.url("/"), "DELETE").status == 405);
    CHECK(test::http_fetch(f.url("/nope"), "PUT").status == 405);
    const auto head = test::http_fetch(f.url("/healthz"), "HEAD");
    CHECK(head.status == 200);
    CHECK(head.body.empty());
}

TEST_CASE("HTTP server survives very long URLs and headers", "[exporter][http]") {
    Fixture f;
    // 414, or a reset when the server closes while curl is still sending the rest of the line.
    const auto long_url = test::http_fetch(f.url("/" + std::string(100000, 'a')));
    CHECK((long_url.status == 414 || !long_url.error.empty()));
    const auto long_query = test::http_fetch(f.url("/metrics?" + std::string(20000, 'q')));
    CHECK((long_query.status == 414 || !long_query.error.empty()));
    CHECK(test::http_fetch(f.url("/healthz")).status == 200);
}

TEST_CASE("HTTP server listens on every listed address and refuses a bad one", "[exporter][http]") {
    HttpServer both(test::http_options({"127.0.0.1:0", "[::1]:0"}), [] { return SnapshotPtr(); },
                    {});
    REQUIRE(both.ports().size() == 2);
    CHECK(test::http_fetch("http://127.0.0.1:" + std::to_string(both.ports()[0]) + "/healthz")
              .status == 200);
    CHECK(test::http_fetch("http://[::1]:" + std::to_string(both.ports()[1]) + "/healthz").status ==
          200);
    // `nswatch run --listen` is not checked by the config loader: the server names the mistake.
    try {
        HttpServer bad(test::http_options({"127.0.0.1:10053,0.0.0.0:9154"}),
                       [] { return SnapshotPtr(); }, {});
        FAIL("a comma-separated listen string was accepted");
    } catch (const std::runtime_error& e) {
        CHECK_THAT(e.what(), Contains("'127.0.0.1:10053,0.0.0.0:9154' is not one address:port"));
    }
}

TEST_CASE("HTTP server serves concurrent scrapes", "[exporter][http]") {
    Fixture f;
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int i = 0; i < 8; ++i) {
        clients.emplace_back([&] {
            for (int k = 0; k < 10; ++k) {
                if (test::http_fetch(f.url(k % 2 ? "/metrics" : "/api/v1/status")).status == 200) {
                    ++ok;
                }
            }
        });
    }
    for (auto& c : clients) c.join();
    CHECK(ok == 80);
}

TEST_CASE("extra status sections reach /api/v1/status and the status page", "[exporter][http]") {
    const SnapshotPtr snapshot = test::sample_snapshot_ptr();
    HttpServerOptions o = test::http_options({"127.0.0.1:0"});
    o.status_sections.emplace_back("propagation", [] {
        return nlohmann::json::array(
            {{{"zone", "shop.test"}, {"provider", "<beta>"}, {"seconds", 1.25}}});
    });
    o.status_sections.emplace_back("zone_diff", [] { return nlohmann::json::array(); });
    o.status_sections.emplace_back("alerts", [] {
        return nlohmann::json::array({{{"state", "firing"}, {"rule", "provider_down"}}});
    });
    HttpServer server{o, [&] { return snapshot; }, {}};
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

    const auto r = test::http_fetch(base + "/api/v1/status");
    REQUIRE(r.status == 200);
    const auto j = nlohmann::json::parse(r.body);
    REQUIRE(j["propagation"].size() == 1);
    CHECK(j["propagation"][0]["provider"] == "<beta>");
    CHECK(j["zone_diff"].empty());
    // Older readers (status --from) still read the snapshot part.
    CHECK(snapshot_from_json(j).zones.size() == snapshot->zones.size());

    const auto page = test::http_fetch(base + "/");
    REQUIRE(page.status == 200);
    CHECK_THAT(page.body, Contains("<h2>propagation</h2>"));
    CHECK_THAT(page.body, Contains("<td>&lt;beta&gt;</td><td>1.25</td>"));
    CHECK_THAT(page.body, Contains("<h2>zone_diff</h2>\n<p class=\"muted\">nothing yet</p>"));
    CHECK(page.body.find("<h2>propagation") < page.body.rfind("</body>"));
    // Active alerts right under the verdict, before the zones; the rest after them.
    CHECK(page.body.find("<h2>alerts</h2>") < page.body.find("<h2>shop.test</h2>"));
    CHECK(page.body.find("<h2>propagation</h2>") > page.body.find("<h2>shop.test</h2>"));
    CHECK_THAT(page.body, Contains("<td>provider_down</td><td>firing</td>"));  // columns by name
}

TEST_CASE("lifecycle endpoints: /-/healthy, /-/ready after the first round, POST /-/reload",
          "[exporter][http]") {
    SnapshotPtr snapshot;  // no round finished yet
    std::mutex m;
    int reloads = 0;
    std::string reload_error;
    HttpServerOptions o = test::http_options({"127.0.0.1:0"});
    o.reload = [&] {
        std::lock_guard lock(m);
        ++reloads;
        return reload_error;
    };
    HttpServer server{o,
                      [&] {
                          std::lock_guard lock(m);
                          return snapshot;
                      },
                      {}};
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

    CHECK(test::http_fetch(base + "/-/healthy").status == 200);
    auto ready = test::http_fetch(base + "/-/ready");
    CHECK(ready.status == 503);
    CHECK_THAT(ready.body, Contains("no probe round has finished yet"));
    {
        std::lock_guard lock(m);
        snapshot = test::sample_snapshot_ptr();
    }
    CHECK(test::http_fetch(base + "/-/ready").status == 200);

    // A GET must not reload (a crawler, a browser's prefetch).
    const auto get = test::http_fetch(base + "/-/reload");
    CHECK(get.status == 405);
    CHECK(reloads == 0);
    const auto ok = test::http_fetch(base + "/-/reload", "POST");
    CHECK(ok.status == 200);
    CHECK(reloads == 1);
    reload_error = "config.yml:3:5: unknown key 'intervall'";
    const auto bad = test::http_fetch(base + "/-/reload", "POST");
    CHECK(bad.status == 500);
    CHECK_THAT(bad.body, Contains("unknown key 'intervall'"));
    CHECK(reloads == 2);
}

TEST_CASE("/-/reload is 404 where nothing can be reloaded", "[exporter][http]") {
    const SnapshotPtr snapshot = test::sample_snapshot_ptr();
    HttpServer server{test::http_options({"127.0.0.1:0"}), [&] { return snapshot; }, {}};
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    CHECK(test::http_fetch(base + "/-/reload", "POST").status == 404);
}
