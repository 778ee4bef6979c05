// zones_from.catalog end to end on the lab: `nswatch run` follows a catalog zone (RFC 9432) that
// BIND serves and nsupdate changes (real NOTIFY to the daemon's listener, then IXFR), and one that
// Knot generates from its member zones. What a user sees: members probed and on /metrics, a
// member added and probed, a member removed and its series gone, a changed group giving the
// member its new group's settings, and a member that stays keeping its state. Two catalogs
// followed at once (Knot's and a static one on BIND) with a zone list, a zone both list, and
// reloads that remove a catalog and add it back. A catalog a reload adds is transferred in the
// background: the reload applies at once, its members come when the transfer succeeds, and a
// primary that never answers holds up no probe round. A reload that changes one catalog's primary
// transfers that catalog alone. A catalog whose primary sends no NOTIFY is followed at its SOA
// refresh: a member added there comes with the next refresh, and every refresh is counted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

// ldns/common.h #defines bool, true and false unless <stdbool.h> came first.
#include <stdbool.h>
// then ldns:
#include <ldns/ldns.h>

#include "lab_env.hpp"
#include "prometheus_env.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nswatch::lab::prom::http_get;

namespace {

constexpr const char* kHttp = "127.63.0.1:19453";

/// The daemon's config: the lab's settings, then `zones_from` (YAML text, its own lines).
void write_config(const fs::path& file, const std::string& zones_from) {
    std::ofstream(file) << "root_hints: " << nswatch::lab::root_hints() << "\n"
                        << "probe: {timeout: 400ms, interval: 1s, jitter: 0%, tcp_every: 0}\n"
                        << "discovery: {interval: 1h, timeout: 500ms}\n"
                        << "http: {listen: '" << kHttp << "'}\n"
                        << "notify: {listen: '127.63.0.1:5353', allow: [127.53.1.0/24]}\n"
                        << "providers:\n"
                        << "  - {name: alpha, patterns: ['*.alpha-dns.test']}\n"
                        << "  - {name: beta, patterns: ['*.beta-dns.test']}\n"
                        << "  - {name: gamma, patterns: ['*.gamma-dns.test']}\n"
                        << zones_from;
}

struct CatalogDaemon {
    fs::path dir;
    std::optional<nswatch::lab::Child> child;

    CatalogDaemon(const fs::path& d, const std::string& zones_from) : dir(d) {
        write_config(dir / "nswatch.yml", zones_from);
        child.emplace(nswatch::lab::nswatch_run_argv(dir / "nswatch.yml"), dir / "daemon.log");
    }
    /// The config with another `zones_from`, then SIGHUP.
    void reload(const std::string& zones_from) {
        write_config(dir / "nswatch.yml", zones_from);
        REQUIRE(kill(child->pid(), SIGHUP) == 0);
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

/// The zones /api/v1/status lists, sorted.
std::vector<std::string> watched() {
    const std::string body = http_get(kHttp, "/api/v1/status");
    std::vector<std::string> zones;
    if (body.empty()) return zones;
    const nlohmann::json status = nlohmann::json::parse(body);
    for (const auto& z : status["zones"]) zones.push_back(z["zone"].get<std::string>());
    std::sort(zones.begin(), zones.end());
    return zones;
}

size_t count_of(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

uint64_t rounds_of(const std::string& zone) {
    const auto z = zone_status(zone);
    return z.is_null() ? 0 : z["rounds"].get<uint64_t>();
}

/// nsupdate on one of BIND's catalog zones (the lines between "zone" and "send").
void update_catalog(const fs::path& dir, const std::string& lines,
                    const std::string& catalog = "bind-catalog.lab") {
    const fs::path f = dir / "update.txt";
    std::ofstream(f) << "server 127.53.1.1 53\nzone " << catalog << "\n" << lines << "send\n";
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

/// A primary that takes connections (the kernel's backlog accepts them) and never answers: a
/// transfer from it waits out the catalog entry's timeout. At kSilentPrimary port 5399; closed with
/// the object.
constexpr const char* kSilentPrimary = "127.63.0.9";

struct SilentPrimary {
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    SilentPrimary() {
        const int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(5399);
        inet_pton(AF_INET, kSilentPrimary, &a.sin_addr);
        REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(listen(fd, 16) == 0);
    }
    ~SilentPrimary() { close(fd); }
    SilentPrimary(const SilentPrimary&) = delete;
    SilentPrimary& operator=(const SilentPrimary&) = delete;
};

/// A NOTIFY for `zone` (built with ldns) from 127.53.1.9, inside the config's notify.allow, to
/// the daemon's listener; the answer's rcode, -1 when none came.
int send_notify(const std::string& zone) {
    ldns_pkt* pkt = ldns_pkt_query_new(ldns_dname_new_frm_str((zone + ".").c_str()),
                                       LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, LDNS_AA);
    ldns_pkt_set_opcode(pkt, LDNS_PACKET_NOTIFY);
    ldns_pkt_set_id(pkt, 4242);
    uint8_t* wire = nullptr;
    size_t size = 0;
    ldns_pkt2wire(&wire, pkt, &size);
    ldns_pkt_free(pkt);
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    inet_pton(AF_INET, "127.53.1.9", &src.sin_addr);
    bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(5353);
    inet_pton(AF_INET, "127.63.0.1", &dst.sin_addr);
    sendto(fd, wire, size, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
    std::free(wire);
    int rcode = -1;
    uint8_t buf[512];
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 2000) == 1) {
        ldns_pkt* answer = nullptr;
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0 && ldns_wire2pkt(&answer, buf, static_cast<size_t>(n)) == LDNS_STATUS_OK) {
            rcode = ldns_pkt_get_rcode(answer);
            ldns_pkt_free(answer);
        }
    }
    close(fd);
    return rcode;
}

/// The /metrics line of `catalog`'s transfer counter for `result` at `n`.
std::string refreshes_line(const std::string& catalog, const std::string& result, int n) {
    return "nswatch_catalog_refreshes_total{catalog=\"" + catalog + "\",result=\"" + result +
           "\"} " + std::to_string(n);
}

/// The catalog's nswatch_catalog_last_success_timestamp_seconds in `text` (/metrics), 0 when it
/// has none.
double last_success_of(const std::string& text, const std::string& catalog) {
    const std::string prefix =
        "nswatch_catalog_last_success_timestamp_seconds{catalog=\"" + catalog + "\"} ";
    const size_t at = text.find(prefix);
    return at == std::string::npos ? 0 : std::stod(text.substr(at + prefix.size()));
}

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

using Zones = std::vector<std::string>;

}  // namespace

TEST_CASE("catalog: BIND's catalog is followed by NOTIFY and IXFR: members come, go, regroup") {
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-catalog-test-bind");
    // Knot's catalog is followed too, listed second: BIND's NOTIFYs refresh BIND's catalog alone,
    // and the members both list (shop.test, gamma-dns.test) take BIND's catalog's settings.
    CatalogDaemon d(dir,
                    "zones_from:\n"
                    "  - catalog: bind-catalog.lab\n"
                    "    primary: 127.53.1.1\n"
                    "    source: 127.63.0.1\n"
                    "    groups:\n"
                    "      blue: {primary: ns1.alpha-dns.test}\n"
                    "      red: {}\n"
                    "  - {catalog: knot-catalog.lab, primary: 127.53.3.1, source: 127.63.0.1}\n");
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
    // Knot's catalog: its one transfer at start (its SOA refresh is longer than this test); the
    // NOTIFYs for BIND's catalog did not refresh it.
    CHECK(has(m, "nswatch_catalog_refreshes_total{catalog=\"knot-catalog.lab\",result=\"ok\"} 1"));
    CHECK(has(m, member("knot-catalog.lab", "shop.test", "blue")));
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

TEST_CASE("catalog: two catalogs and a file at once, a reload removes a catalog and adds it back") {
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-catalog-test-two");
    std::ofstream(dir / "zones.txt") << "beta-dns.test\n";
    // knot-catalog.lab: shop.test (blue), gamma-dns.test (red); fixed-catalog.lab: shop.test
    // (red), alpha-dns.test. Only blue has a primary.
    const std::string knot =
        "  - {catalog: knot-catalog.lab, primary: 127.53.3.1, source: 127.63.0.1,\n"
        "     groups: {blue: {primary: ns1.alpha-dns.test}}}\n";
    const std::string fixed =
        "  - {catalog: fixed-catalog.lab, primary: 127.53.1.1, source: 127.63.0.1}\n";
    const std::string file = "  - {file: zones.txt}\n";
    const std::vector<std::string> all{"alpha-dns.test", "beta-dns.test", "gamma-dns.test",
                                       "shop.test"};
    const std::string knot_first =
        "zone shop.test: listed by catalogs knot-catalog.lab and fixed-catalog.lab; watched as a "
        "member of knot-catalog.lab";
    const std::string fixed_first =
        "zone shop.test: listed by catalogs fixed-catalog.lab and knot-catalog.lab; watched as a "
        "member of fixed-catalog.lab";
    CatalogDaemon d(dir, "zones_from:\n" + knot + fixed + file);

    // Both catalogs and the file: shop.test once, as the member of Knot's catalog (listed first).
    REQUIRE(eventually([&] { return watched() == all; }));
    std::string m = metrics();
    CHECK(has(m, "nswatch_catalog_members{catalog=\"knot-catalog.lab\"} 2"));
    CHECK(has(m, "nswatch_catalog_members{catalog=\"fixed-catalog.lab\"} 2"));
    CHECK(has(m, member("knot-catalog.lab", "shop.test", "blue")));
    CHECK(has(m, member("knot-catalog.lab", "gamma-dns.test", "red")));
    CHECK(has(m, member("fixed-catalog.lab", "shop.test", "red")));
    CHECK(has(m, member("fixed-catalog.lab", "alpha-dns.test", "")));
    CHECK(zone_status("shop.test")["has_primary"] == true);
    REQUIRE(eventually([] {
        const std::string m = metrics();
        return probed_in(m, "alpha-dns.test") && probed_in(m, "beta-dns.test") &&
               probed_in(m, "gamma-dns.test") && probed_in(m, "shop.test") &&
               rounds_of("alpha-dns.test") >= 2 && rounds_of("beta-dns.test") >= 2;
    }));
    uint64_t alpha_rounds = rounds_of("alpha-dns.test");
    uint64_t beta_rounds = rounds_of("beta-dns.test");

    // Knot's catalog leaves the list: gamma-dns.test goes, shop.test stays as fixed's member
    // (group red: no primary), alpha-dns.test and beta-dns.test go on.
    d.reload("zones_from:\n" + fixed + file);
    REQUIRE(eventually([] {
        return watched() ==
               std::vector<std::string>{"alpha-dns.test", "beta-dns.test", "shop.test"};
    }));
    CHECK(eventually([] { return zone_status("shop.test")["has_primary"] == false; }));
    CHECK(eventually([] { return !probed_in(metrics(), "gamma-dns.test"); }));
    m = metrics();
    CHECK(!has(m, "catalog=\"knot-catalog.lab\""));
    CHECK(has(m, "nswatch_catalog_members{catalog=\"fixed-catalog.lab\"} 2"));
    CHECK(eventually([&] { return rounds_of("alpha-dns.test") > alpha_rounds; }));
    CHECK(eventually([&] { return rounds_of("beta-dns.test") > beta_rounds; }));
    alpha_rounds = rounds_of("alpha-dns.test");
    beta_rounds = rounds_of("beta-dns.test");
    const uint64_t shop_rounds = rounds_of("shop.test");

    // Knot's catalog comes back, listed last: gamma-dns.test is watched again, shop.test stays
    // fixed's member, with its state.
    d.reload("zones_from:\n" + fixed + file + knot);
    REQUIRE(eventually([&] { return watched() == all; }));
    CHECK(eventually([] { return probed_in(metrics(), "gamma-dns.test"); }));
    m = metrics();
    CHECK(has(m, "nswatch_catalog_members{catalog=\"knot-catalog.lab\"} 2"));
    CHECK(has(m, "nswatch_catalog_refreshes_total{catalog=\"knot-catalog.lab\",result=\"ok\"} 1"));
    CHECK(has(m, member("knot-catalog.lab", "gamma-dns.test", "red")));
    CHECK(zone_status("shop.test")["has_primary"] == false);
    CHECK(eventually([&] { return rounds_of("alpha-dns.test") > alpha_rounds; }));
    CHECK(eventually([&] { return rounds_of("beta-dns.test") > beta_rounds; }));
    CHECK(eventually([&] { return rounds_of("shop.test") > shop_rounds; }));  // same settings

    const std::string log = d.log();
    CHECK(count_of(log, knot_first) == 1);  // once, not at every reload
    CHECK(count_of(log, fixed_first) == 1);
    CHECK(has(log, "catalog knot-catalog.lab: no longer in zones_from; stopped, its members go"));
    CHECK(has(log, "catalog knot-catalog.lab: new in zones_from; transferring it"));
    CHECK(count_of(log, "catalog fixed-catalog.lab: serial 1 by axfr") == 1);  // never again
    CHECK(has(log, "zone gamma-dns.test: no longer in the config"));
    CHECK(!has(log, "zone alpha-dns.test: no longer in the config"));
    CHECK(!has(log, "zone beta-dns.test: no longer in the config"));
}

TEST_CASE("catalog: a reload adds a catalog whose primary never answers at once and rounds go on") {
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-catalog-test-silent");
    std::ofstream(dir / "zones.txt") << "beta-dns.test\n";
    const std::string knot =
        "  - {catalog: knot-catalog.lab, primary: 127.53.3.1, source: 127.63.0.1,\n"
        "     groups: {blue: {primary: ns1.alpha-dns.test}}}\n";
    const std::string file = "  - {file: zones.txt}\n";
    // fixed-catalog.lab (shop.test, alpha-dns.test) asked of a primary that never answers, then
    // of BIND, which serves it.
    const std::string fixed_silent =
        "  - {catalog: fixed-catalog.lab, primary: " + std::string(kSilentPrimary) +
        ", port: 5399,\n     source: 127.63.0.1, timeout: 5s}\n";
    const std::string fixed_bind =
        "  - {catalog: fixed-catalog.lab, primary: 127.53.1.1, source: 127.63.0.1, timeout: 5s}\n";
    const Zones before{"beta-dns.test", "gamma-dns.test", "shop.test"};
    CatalogDaemon d(dir, "zones_from:\n" + knot + file);
    REQUIRE(eventually([&] { return watched() == before; }));
    REQUIRE(eventually([] { return rounds_of("beta-dns.test") >= 2; }));

    // The reload applies at once, although fixed-catalog.lab's transfer waits up to 5 s per read.
    const SilentPrimary silent;
    const size_t reloads = count_of(d.log(), "configuration reloaded");
    uint64_t beta_rounds = rounds_of("beta-dns.test");
    uint64_t gamma_rounds = rounds_of("gamma-dns.test");
    const auto t0 = std::chrono::steady_clock::now();
    d.reload("zones_from:\n" + knot + file + fixed_silent);
    REQUIRE(nswatch::lab::wait_until(
        [&] { return count_of(d.log(), "configuration reloaded") > reloads; }, 6s, 20ms));
    CHECK(std::chrono::steady_clock::now() - t0 < 2s);
    CHECK(has(d.log(),
              "catalog fixed-catalog.lab: new in zones_from; transferring it in the background"));
    // Every zone goes on being probed while that transfer waits: two more rounds each (interval
    // 1 s) well before its 5 s read times out.
    CHECK(nswatch::lab::wait_until(
        [&] {
            return rounds_of("beta-dns.test") >= beta_rounds + 2 &&
                   rounds_of("gamma-dns.test") >= gamma_rounds + 2;
        },
        4s, 100ms));
    CHECK(std::chrono::steady_clock::now() - t0 < 4500ms);
    CHECK(watched() == before);

    // The transfer fails: counted and logged with the next try; no member, the rest unchanged.
    REQUIRE(
        eventually([] { return has(metrics(), refreshes_line("fixed-catalog.lab", "error", 1)); }));
    std::string m = metrics();
    CHECK(has(m, refreshes_line("fixed-catalog.lab", "ok", 0)));
    CHECK(has(m, "nswatch_catalog_members{catalog=\"knot-catalog.lab\"} 2"));
    CHECK(!has(m, "nswatch_catalog_member_info{catalog=\"fixed-catalog.lab\""));
    CHECK(has(d.log(), "catalog fixed-catalog.lab: background transfer failed: "));
    CHECK(has(d.log(), "followed without members until a transfer succeeds, next try in "));
    CHECK(watched() == before);

    // A NOTIFY for it: tried again, fails again, and the rounds still go on.
    beta_rounds = rounds_of("beta-dns.test");
    CHECK(send_notify("fixed-catalog.lab") == LDNS_RCODE_NOERROR);
    REQUIRE(
        eventually([] { return has(metrics(), refreshes_line("fixed-catalog.lab", "error", 2)); }));
    CHECK(rounds_of("beta-dns.test") >= beta_rounds + 3);
    CHECK(watched() == before);

    // Pointed at BIND: its members come without a restart; shop.test stays Knot's member (listed
    // first, group blue with a primary), Knot's catalog is not transferred again.
    beta_rounds = rounds_of("beta-dns.test");
    d.reload("zones_from:\n" + knot + file + fixed_bind);
    REQUIRE(eventually([] {
        return watched() == Zones{"alpha-dns.test", "beta-dns.test", "gamma-dns.test", "shop.test"};
    }));
    CHECK(eventually([] { return probed_in(metrics(), "alpha-dns.test"); }));
    m = metrics();
    CHECK(has(m, refreshes_line("fixed-catalog.lab", "ok", 1)));
    CHECK(has(m, refreshes_line("fixed-catalog.lab", "error", 2)));
    CHECK(has(m, refreshes_line("knot-catalog.lab", "ok", 1)));
    CHECK(has(m, "nswatch_catalog_members{catalog=\"fixed-catalog.lab\"} 2"));
    CHECK(has(m, member("fixed-catalog.lab", "alpha-dns.test", "")));
    CHECK(zone_status("shop.test")["has_primary"] == true);
    CHECK(rounds_of("beta-dns.test") > beta_rounds);  // its state kept throughout
    const std::string log = d.log();
    CHECK(has(log, "catalog fixed-catalog.lab: serial 1 by axfr: 2 members (version 2)"));
    CHECK(has(log,
              "catalog fixed-catalog.lab: transferred in the background; its 2 members are added"));
    CHECK(!has(log, "no longer in the config"));
    CHECK(d.child->running());
}

TEST_CASE("catalog: a catalog a reload adds brings its members without a restart") {
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-catalog-test-added");
    std::ofstream(dir / "zones.txt") << "beta-dns.test\n";
    const std::string file = "  - {file: zones.txt}\n";
    const std::string knot =
        "  - {catalog: knot-catalog.lab, primary: 127.53.3.1, source: 127.63.0.1,\n"
        "     groups: {blue: {primary: ns1.alpha-dns.test}}}\n";
    CatalogDaemon d(dir, "zones_from:\n" + file);
    REQUIRE(eventually([] { return watched() == Zones{"beta-dns.test"}; }));
    REQUIRE(eventually([] { return rounds_of("beta-dns.test") >= 2; }));
    CHECK(!has(metrics(), "nswatch_catalog_"));
    const uint64_t beta_rounds = rounds_of("beta-dns.test");

    // Knot's catalog added: its members come after its transfer, probed, with their groups.
    d.reload("zones_from:\n" + file + knot);
    REQUIRE(eventually([] {
        return watched() == Zones{"beta-dns.test", "gamma-dns.test", "shop.test"};
    }));
    CHECK(eventually([] {
        const std::string m = metrics();
        return probed_in(m, "shop.test") && probed_in(m, "gamma-dns.test");
    }));
    const std::string m = metrics();
    CHECK(has(m, "nswatch_catalog_members{catalog=\"knot-catalog.lab\"} 2"));
    CHECK(has(m, refreshes_line("knot-catalog.lab", "ok", 1)));
    CHECK(has(m, refreshes_line("knot-catalog.lab", "error", 0)));
    CHECK(has(m, member("knot-catalog.lab", "shop.test", "blue")));
    CHECK(has(m, member("knot-catalog.lab", "gamma-dns.test", "red")));
    CHECK(zone_status("shop.test")["has_primary"] == true);
    // The same daemon: beta-dns.test's state goes on.
    CHECK(eventually([&] { return rounds_of("beta-dns.test") > beta_rounds; }));

    // In the log: started once, the catalog announced, transferred, then its members merged.
    const std::string log = d.log();
    CHECK(count_of(log, "watching 1 zones every") == 1);
    const size_t announced =
        log.find("catalog knot-catalog.lab: new in zones_from; transferring it in the background");
    const size_t transferred = log.find(
        "catalog knot-catalog.lab: transferred in the background; its 2 members are added");
    const size_t merged = log.find("catalog knot-catalog.lab: 2 member zones watched", announced);
    REQUIRE(announced != std::string::npos);
    REQUIRE(transferred != std::string::npos);
    CHECK(announced < transferred);
    CHECK(merged != std::string::npos);
    CHECK(d.child->running());
}

TEST_CASE("catalog: a reload that changes one catalog's primary transfers that one alone") {
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-catalog-test-reprimary");
    // knot-catalog.lab: shop.test (blue), gamma-dns.test (red); fixed-catalog.lab: shop.test
    // (red), alpha-dns.test. BIND serves fixed-catalog.lab on both its addresses.
    const std::string knot_blue =
        "  - {catalog: knot-catalog.lab, primary: 127.53.3.1, source: 127.63.0.1,\n"
        "     groups: {blue: {primary: ns1.alpha-dns.test}}}\n";
    const std::string knot_plain =
        "  - {catalog: knot-catalog.lab, primary: 127.53.3.1, source: 127.63.0.1}\n";
    const std::string fixed_ns1 =
        "  - {catalog: fixed-catalog.lab, primary: 127.53.1.1, source: 127.63.0.1}\n";
    const std::string fixed_ns2 =
        "  - {catalog: fixed-catalog.lab, primary: 127.53.1.2, source: 127.63.0.1}\n";
    const Zones all{"alpha-dns.test", "gamma-dns.test", "shop.test"};
    CatalogDaemon d(dir, "zones_from:\n" + knot_blue + fixed_ns1);
    REQUIRE(eventually([&] { return watched() == all; }));
    REQUIRE(eventually([] { return rounds_of("alpha-dns.test") >= 2; }));
    std::string m = metrics();
    CHECK(has(m, refreshes_line("knot-catalog.lab", "ok", 1)));
    CHECK(has(m, refreshes_line("fixed-catalog.lab", "ok", 1)));
    CHECK(zone_status("shop.test")["has_primary"] == true);
    const uint64_t alpha_rounds = rounds_of("alpha-dns.test");

    // fixed-catalog.lab from BIND's other address: transferred again (AXFR, the copy dropped).
    // knot-catalog.lab loses its groups: shop.test takes the defaults without a transfer.
    d.reload("zones_from:\n" + knot_plain + fixed_ns2);
    REQUIRE(
        eventually([] { return has(metrics(), refreshes_line("fixed-catalog.lab", "ok", 2)); }));
    CHECK(eventually([] { return zone_status("shop.test")["has_primary"] == false; }));
    m = metrics();
    CHECK(has(m, refreshes_line("knot-catalog.lab", "ok", 1)));
    CHECK(has(m, refreshes_line("knot-catalog.lab", "error", 0)));
    CHECK(has(m, refreshes_line("fixed-catalog.lab", "error", 0)));
    CHECK(has(m, "nswatch_catalog_members{catalog=\"fixed-catalog.lab\"} 2"));
    CHECK(has(m, member("knot-catalog.lab", "shop.test", "blue")));
    CHECK(watched() == all);
    CHECK(eventually([&] { return rounds_of("alpha-dns.test") > alpha_rounds; }));

    const std::string log = d.log();
    CHECK(count_of(log, "catalog fixed-catalog.lab: serial 1 by axfr: 2 members") == 2);
    CHECK(count_of(log, "catalog knot-catalog.lab: serial ") == 1);
    CHECK(!has(log, "new in zones_from"));
    CHECK(!has(log, "no longer in zones_from"));
    CHECK(!has(log, "zone alpha-dns.test: no longer in the config"));
}

TEST_CASE("catalog: without NOTIFY a member added on the primary comes at the catalog's refresh") {
    // timer-catalog.lab: SOA refresh 10 s (the shortest nswatch keeps), and BIND notifies nobody
    // of it, although the daemon's NOTIFY listener runs (127.63.0.1 port 5353).
    const fs::path dir = nswatch::lab::scratch_dir("nswatch-catalog-test-timer");
    const std::string cat = "timer-catalog.lab";
    constexpr double kRefresh = 10;
    CatalogDaemon d(dir,
                    "zones_from: {catalog: timer-catalog.lab, primary: 127.53.1.1,\n"
                    "             source: 127.63.0.1}\n");
    REQUIRE(eventually([] { return watched() == Zones{"gamma-dns.test"}; }));
    std::string m = metrics();
    CHECK(has(m, refreshes_line(cat, "ok", 1)));
    const double first = last_success_of(m, cat);
    REQUIRE(first > 0);

    // beta-dns.test added: watched once the refresh timer brings it, not at the update.
    update_catalog(dir, "update add beta.zones.timer-catalog.lab. 0 IN PTR beta-dns.test.\n", cat);
    const double updated = unix_now();
    REQUIRE(nswatch::lab::wait_until(
        [] {
            return watched() == Zones{"beta-dns.test", "gamma-dns.test"};
        },
        std::chrono::seconds(static_cast<int>(kRefresh) + 3), 100ms));
    const double seen = unix_now();
    CHECK(seen - first >= kRefresh - 0.5);
    CHECK(seen - updated <= kRefresh + 3);
    CHECK(eventually([] { return probed_in(metrics(), "beta-dns.test"); }));
    m = metrics();
    CHECK(has(m, refreshes_line(cat, "ok", 2)));
    CHECK(has(m, "nswatch_catalog_members{catalog=\"timer-catalog.lab\"} 2"));
    CHECK(has(m, "nswatch_catalog_serial{catalog=\"timer-catalog.lab\"} 2"));
    const double second = last_success_of(m, cat);
    CHECK(second - first >= kRefresh - 0.5);
    CHECK(second - first <= kRefresh + 1.5);

    // Nothing changed since: the next refresh comes at the same pace, finds the catalog up to
    // date, and is counted.
    REQUIRE(nswatch::lab::wait_until([&] { return has(metrics(), refreshes_line(cat, "ok", 3)); },
                                     std::chrono::seconds(static_cast<int>(kRefresh) + 3), 100ms));
    m = metrics();
    const double third = last_success_of(m, cat);
    CHECK(third - second >= kRefresh - 0.5);
    CHECK(third - second <= kRefresh + 1.5);
    CHECK(has(m, refreshes_line(cat, "error", 0)));
    CHECK(watched() == Zones{"beta-dns.test", "gamma-dns.test"});

    const std::string log = d.log();
    CHECK(has(log, "catalog timer-catalog.lab: serial 1 by axfr: 1 members (version 2)"));
    CHECK(has(log, "catalog timer-catalog.lab: serial 2 by incremental: 2 members"));
    CHECK(has(log, "catalog timer-catalog.lab: added beta-dns.test"));
    CHECK(has(log, "catalog timer-catalog.lab: serial 2 by up_to_date: 2 members"));
    CHECK(!has(log, "notify: timer-catalog.lab"));
    CHECK(d.child->running());
}
