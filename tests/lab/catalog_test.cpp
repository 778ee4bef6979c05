// zones_from.catalog end to end on the lab: `nswatch run` follows a catalog zone (RFC 9432) that
// BIND serves and nsupdate changes (real NOTIFY to the daemon's listener, then IXFR), and one that
// Knot generates from its member zones. What a user sees: members probed and on /metrics, a
// member added and probed, a member removed and its series gone, a changed group giving the
// member its new group's settings, and a member that stays keeping its state.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "lab_env.hpp"
#include "prometheus_env.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nswatch::lab::prom::http_get;

namespace {

constexpr const char* kHttp = "127.63.0.1:19453";

struct CatalogDaemon {
    fs::path dir;
    std::optional<nswatch::lab::Child> child;

    CatalogDaemon(const fs::path& d, const std::string& zones_from) : dir(d) {
        std::ofstream(dir / "nswatch.yml")
            << "root_hints: " << nswatch::lab::root_hints() << "\n"
            << "probe: {timeout: 400ms, interval: 1s, jitter: 0%, tcp_every: 0}\n"
            << "discovery: {interval: 1h, timeout: 500ms}\n"
            << "http: {listen: '" << kHttp << "'}\n"
            << "notify: {listen: '127.63.0.1:5353', allow: [127.53.1.0/24]}\n"
            << "providers:\n"
            << "  - {name: alpha, patterns: ['*.alpha-dns.test']}\n"
            << "  - {name: beta, patterns: ['*.beta-dns.test']}\n"
            << "  - {name: gamma, patterns: ['*.gamma-dns.test']}\n"
            << zones_from;
        child.emplace(nswatch::lab::nswatch_run_argv(dir / "nswatch.yml"), dir / "daemon.log");
    }
    std::string log() const { return child->log(); }
};

bool eventually(const std::function<bool()>& pred, std::chrono::seconds limit = 15s) {
    return nswatch::lab::wait_until(pred, limit, 200ms);
}

std::string metrics() {
    return http_get(kHttp, "/metrics");
}

bool has(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

/// A zone's entry in /api/v1/status, null when it is not watched.
nlohmann::json zone_status(const std::string& zone) {
    const std::string body = http_get(kHttp, "/api/v1/status");
    if (body.empty()) return nullptr;
    const nlohmann::json status = nlohmann::json::parse(body);
    for (const auto& z : status["zones"]) {
        if (z["zone"] == zone) return z;
    }
    return nullptr;
}

uint64_t rounds_of(const std::string& zone) {
    const auto z = zone_status(zone);
    return z.is_null() ? 0 : z["rounds"].get<uint64_t>();
}

/// nsupdate on BIND's catalog zone (the lines between "zone" and "send").
void update_catalog(const fs::path& dir, const std::string& lines) {
    const fs::path f = dir / "update.txt";
    std::ofstream(f) << "server 127.53.1.1 53\nzone bind-catalog.lab\n" << lines << "send\n";
    REQUIRE(std::system(("nsupdate -t 5 " + f.string()).c_str()) == 0);
}

std::string member(const std::string& catalog, const std::string& zone, const std::string& group) {
    return "nswatch_catalog_member_info{catalog=\"" + catalog + "\",group=\"" + group +
           "\",zone=\"" + zone + "\"} 1";
}

/// Whether `text` (/metrics) has a probe counter of `zone`.
bool probed_in(const std::string& text, const std::string& zone) {
    std::istringstream in(text);
    const std::string label = "zone=\"" + zone + "\"}";
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("nswatch_probes_total{") && has(line, label)) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("catalog: BIND's catalog is followed by NOTIFY and IXFR: members come, go, regroup") {
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-catalog-test-bind");
    CatalogDaemon d(dir,
                    "zones_from:\n"
                    "  catalog: bind-catalog.lab\n"
                    "  primary: 127.53.1.1\n"
                    "  source: 127.63.0.1\n"
                    "  groups:\n"
                    "    blue: {primary: ns1.alpha-dns.test}\n"
                    "    red: {}\n");
    const std::string cat = "bind-catalog.lab";

    // The first AXFR: three members, each probed, shop.test with blue's primary.
    REQUIRE(eventually([&] {
        const std::string m = metrics();
        return probed_in(m, "shop.test") && probed_in(m, "alpha-dns.test") &&
               probed_in(m, "gamma-dns.test");
    }));
    std::string m = metrics();
    CHECK(has(m, member(cat, "shop.test", "blue")));
    CHECK(has(m, member(cat, "alpha-dns.test", "red")));
    CHECK(has(m, member(cat, "gamma-dns.test", "")));
    CHECK(has(m, "nswatch_catalog_members{catalog=\"bind-catalog.lab\"} 3"));
    CHECK(has(m, "nswatch_catalog_serial{catalog=\"bind-catalog.lab\"} 1"));
    CHECK(zone_status("shop.test")["has_primary"] == true);
    REQUIRE(eventually([] { return rounds_of("gamma-dns.test") >= 2; }));
    const uint64_t gamma_rounds = rounds_of("gamma-dns.test");

    // Added: beta-dns.test comes by NOTIFY + IXFR and is probed.
    update_catalog(dir, "update add beta.zones.bind-catalog.lab. 0 IN PTR beta-dns.test.\n");
    CHECK(eventually([] { return probed_in(metrics(), "beta-dns.test"); }));
    CHECK(has(metrics(), member(cat, "beta-dns.test", "")));

    // Removed: alpha-dns.test's series are gone.
    update_catalog(dir,
                   "update delete alpha.zones.bind-catalog.lab. PTR\n"
                   "update delete group.alpha.zones.bind-catalog.lab. TXT\n");
    CHECK(eventually([] { return !probed_in(metrics(), "alpha-dns.test"); }));
    CHECK(!has(metrics(), member(cat, "alpha-dns.test", "red")));
    CHECK(eventually([] { return zone_status("alpha-dns.test").is_null(); }));

    // Regrouped: shop.test in red has red's settings (no primary) and the red label.
    update_catalog(dir,
                   "update delete group.shop.zones.bind-catalog.lab. TXT\n"
                   "update add group.shop.zones.bind-catalog.lab. 0 IN TXT \"red\"\n");
    CHECK(
        eventually([] { return has(metrics(), member("bind-catalog.lab", "shop.test", "red")); }));
    CHECK(eventually([] {
        const auto z = zone_status("shop.test");
        return !z.is_null() && z["has_primary"] == false;
    }));
    m = metrics();
    CHECK(!has(m, member(cat, "shop.test", "blue")));
    CHECK(has(m, "nswatch_catalog_members{catalog=\"bind-catalog.lab\"} 3"));
    CHECK(has(m, "nswatch_catalog_serial{catalog=\"bind-catalog.lab\"} 4"));

    // gamma-dns.test stayed a member throughout: its state went on (rounds kept counting rather
    // than starting again), and the catalog came by IXFR, never a second AXFR.
    CHECK(rounds_of("gamma-dns.test") > gamma_rounds);
    const std::string log = d.log();
    CHECK(has(log, "catalog bind-catalog.lab: serial 1 by axfr: 3 members (version 2)"));
    CHECK(has(log, "catalog bind-catalog.lab: serial 4 by incremental"));
    CHECK(has(log, "catalog bind-catalog.lab: added beta-dns.test"));
    CHECK(has(log, "catalog bind-catalog.lab: removed alpha-dns.test"));
    CHECK(has(log, "catalog bind-catalog.lab: group of shop.test (blue -> red)"));
    CHECK(!has(log, "zone gamma-dns.test: no longer in the config"));
}

TEST_CASE("catalog: the catalog Knot generates from its member zones lists them with groups") {
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-catalog-test-knot");
    CatalogDaemon d(dir,
                    "zones_from: {catalog: knot-catalog.lab, primary: 127.53.3.1,\n"
                    "             source: 127.63.0.1}\n");
    const std::string cat = "knot-catalog.lab";
    REQUIRE(eventually([&] {
        const std::string m = metrics();
        return probed_in(m, "shop.test") && probed_in(m, "gamma-dns.test");
    }));
    const std::string m = metrics();
    CHECK(has(m, member(cat, "shop.test", "blue")));
    CHECK(has(m, member(cat, "gamma-dns.test", "red")));
    CHECK(has(m, "nswatch_catalog_members{catalog=\"knot-catalog.lab\"} 2"));
    CHECK(has(m, "nswatch_catalog_refreshes_total{catalog=\"knot-catalog.lab\",result=\"ok\"} 1"));
}

TEST_CASE("catalog: a zone that is no catalog is refused and the daemon keeps running") {
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-catalog-test-notcatalog");
    CatalogDaemon d(dir,
                    "zones: [gamma-dns.test]\n"
                    "zones_from: {catalog: shop.test, primary: 127.53.1.1, source: 127.63.0.1}\n");
    REQUIRE(eventually([] { return probed_in(metrics(), "gamma-dns.test"); }));
    const std::string m = metrics();
    CHECK(has(m, "nswatch_catalog_refreshes_total{catalog=\"shop.test\",result=\"error\"} 1"));
    CHECK(has(d.log(),
              "catalog shop.test: catalog shop.test has no version.shop.test. TXT record: "
              "not a catalog zone (RFC 9432); keeping the last good member list (0 zones)"));
}
