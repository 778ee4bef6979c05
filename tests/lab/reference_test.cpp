// The reference check (zone `reference:`, alert zone_drift) on the lab: the real daemon transfers
// shop.test from BIND (AXFR, the hidden-primary path) and asks its RRsets of BIND, NSD and Knot.
// A healthy lab shows no drift over full passes; with transfers to beta blocked and the zone
// bumped, exactly beta's stale TXT and SOA drift (webhook, metrics, status API); once beta
// catches up they resolve. A transfer BIND refuses (wrong TSIG secret) is named, tried again after
// doubling waits, and nothing is asked meanwhile.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "../unit/alerts_receiver.hpp"
#include "lab_env.hpp"
#include "lab_process.hpp"

namespace fs = std::filesystem;
namespace lab = nswatch::lab;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kListen = "127.0.0.1:19273";

// Two ways BIND lets the reference be transferred: from 127.0.0.1 (BIND allows that address, not
// its own, which the kernel would pick as the source for 127.53.1.1), or from any address with
// the TSIG key lab-xfr.
const std::string kBySource = "source: 127.0.0.1";
const std::string kByKey = "key: " + std::string(lab::kXfrKeyName);

// shop.test after one bump: apex SOA NS A AAAA MX TXT, www A, mail A, lab-bump TXT.
constexpr int kRrsets = 9;
// `every: 1m` (the shortest allowed) at 1 s rounds: ceil(9 x 1 s / 60 s) = 1 RRset a round, plus
// `negative_per_round: 2`; so a full pass is 9 rounds of 3 judged answers per provider.
constexpr int kCheckedPerPass = kRrsets * 3;

// `nswatch run` on a config with shop.test's reference transferred from BIND, stopped by pid.
struct Daemon {
    fs::path dir;
    std::optional<lab::Child> child;

    // `reference`: the zone's reference settings; `secret`: the lab-xfr key's secret as
    // nswatch is told it.
    Daemon(const fs::path& d, const std::string& webhook, const std::string& reference = kBySource,
           const std::string& secret = std::string(lab::kXfrKeySecret))
        : dir(d) {
        std::ofstream(dir / "nswatch.yml")
            << "root_hints: " << lab::root_hints() << "\n"
            << "probe: {timeout: 400ms, interval: 1s, jitter: 0%, tcp_every: 0}\n"
            << "discovery: {interval: 1h, timeout: 500ms}\n"
            << "http: {listen: '" << kListen << "'}\n"
            << "providers:\n"
            << "  - {name: alpha, patterns: ['*.alpha-dns.test']}\n"
            << "  - {name: beta, patterns: ['*.beta-dns.test']}\n"
            << "  - {name: gamma, patterns: ['*.gamma-dns.test']}\n"
            << "zones:\n"
            << "  - name: shop.test\n"
            << "    primary: ns1.alpha-dns.test\n"
            << "    reference: {primary: " << lab::kPrimaryV4 << ", " << reference
            << ", every: 1m, negative_per_round: 2}\n"
            << "keys:\n  - {name: " << lab::kXfrKeyName << ", secret: '" << secret << "'}\n"
            << "alerts:\n"
            << "  state_path: alerts.db\n"
            << "  evaluation_interval: 500ms\n"
            << "  resolve_after: 2s\n"
            << "  retry_initial: 100ms\n"
            << "  retry_max: 1s\n"
            // Three rounds: a provider still taking the bump in (tens of ms) is not reported.
            << "  rules: {zone_drift: {for: 3s}}\n"
            << "  channels:\n"
            << "    - {type: webhook, name: hook, url: '" << webhook << "'}\n";
        child.emplace(lab::nswatch_run_argv(dir / "nswatch.yml"), dir / "daemon.log");
    }
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;
};

// The value of the series `metric{...}` whose labels include `label` (e.g. provider="beta");
// -1 when /metrics does not have it.
double metric(const std::string& metric, const std::string& label) {
    std::istringstream lines(lab::http_get(kListen, "/metrics"));
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(metric + "{", 0) != 0 || line.find(label) == std::string::npos) continue;
        return std::stod(line.substr(line.rfind(' ') + 1));
    }
    return -1;
}

double checked(const std::string& provider) {
    return metric("nswatch_reference_rrsets_checked_total", "provider=\"" + provider + "\"");
}
double differing(const std::string& provider) {
    return metric("nswatch_reference_rrsets_differing", "provider=\"" + provider + "\"");
}

json zone_drift_rows() {
    const std::string body = lab::http_get(kListen, "/api/v1/status");
    return body.empty() ? json() : json::parse(body)["zone_drift"];
}

struct Received {
    std::string rule, status, provider, record, summary;
};

std::vector<Received> received(const nswatch::test::Receiver& rx) {
    std::vector<Received> out;
    for (const auto& r : rx.requests()) {
        const json body = json::parse(r.body);
        for (const auto& a : body["alerts"]) {
            out.push_back({a.value("rule", ""), a.value("status", ""),
                           a["labels"].value("provider", ""), a["labels"].value("record", ""),
                           a.value("summary", "")});
        }
    }
    return out;
}

// Every provider has answered `passes` full passes over the reference.
bool passes_done(int passes) {
    for (auto p : {lab::kAlpha, lab::kBeta, lab::kGamma}) {
        if (checked(std::string(p)) < passes * kCheckedPerPass) return false;
    }
    return true;
}

std::string txt_of_bump(int n) {
    return "\"bump " + std::to_string(n) + "\"";
}

int bump_counter() {
    std::ifstream in(lab::lab_dir() + "/bump.counter");
    int n = 0;
    in >> n;
    return n;
}

std::string soa_rdata(uint32_t serial) {
    return "ns1.alpha-dns.test. hostmaster.shop.test. " + std::to_string(serial) +
           " 14400 3600 1209600 300";
}

// Every notification received, one line each, for failure messages.
std::string describe(const nswatch::test::Receiver& rx) {
    std::string out;
    for (const auto& a : received(rx)) out += a.status + " " + a.rule + ": " + a.summary + "\n";
    return out;
}

bool is_beta_address(const std::string& a) {
    return a == lab::kBetaNs1V4 || a == lab::kBetaNs1V6 || a == lab::kBetaNs2V4 ||
           a == lab::kBetaNs2V6;
}

}  // namespace

TEST_CASE(
    "reference: a healthy lab matches the zone transferred from BIND with TSIG over full passes") {
    const fs::path dir = lab::scratch_dir("nswatch-reference-healthy");
    nswatch::test::Receiver rx;
    lab::bump();  // lab-bump.shop.test exists, as after any earlier test
    lab::wait_sync();
    Daemon daemon(dir, rx.url("/hook"), kByKey);

    REQUIRE(lab::wait_until([] { return passes_done(2); }, 30s));
    CHECK(metric("nswatch_reference_rrsets", "zone=\"shop.test\"") == kRrsets);
    for (auto p : {lab::kAlpha, lab::kBeta, lab::kGamma}) {
        INFO("provider " << p);
        CHECK(differing(std::string(p)) == 0);
    }
    CHECK(zone_drift_rows() == json::array());
    CHECK(rx.requests().empty());
}

TEST_CASE(
    "reference: beta left behind drifts on the bumped TXT and the SOA, resolved on catch-up") {
    const fs::path dir = lab::scratch_dir("nswatch-reference-drift");
    nswatch::test::Receiver rx;
    lab::bump();
    const uint32_t old_serial = lab::wait_sync();
    const int old_bump = bump_counter();
    Daemon daemon(dir, rx.url("/hook"));

    REQUIRE(lab::wait_until([] { return passes_done(1); }, 20s));
    REQUIRE(zone_drift_rows() == json::array());
    REQUIRE(rx.requests().empty());

    uint32_t new_serial = 0;
    {
        lab::XfrBlocked blocked(lab::kBeta);
        // Bump right after a round: the next one, which transfers the new reference, comes ~1 s
        // later, when gamma has long had its IXFR (~50 ms). A secondary asked within its normal
        // propagation delay would drift too (until that question comes round again).
        const double before = checked(std::string(lab::kGamma));
        REQUIRE(lab::wait_until([&] { return checked(std::string(lab::kGamma)) > before; }, 5s));
        new_serial = lab::bump();
        REQUIRE(new_serial == old_serial + 1);
        CHECK(lab::wait_until([&] { return lab::serial(lab::kGammaNs1V4) == new_serial; }, 2s));
        CHECK(lab::serial(lab::kBetaNs1V4) == old_serial);

        auto firing = [&] {
            std::set<std::string> records;
            for (const auto& a : received(rx)) {
                if (a.status == "firing") records.insert(a.provider + " " + a.record);
            }
            return records;
        };
        const std::set<std::string> expected{"beta lab-bump.shop.test. TXT", "beta shop.test. SOA"};
        const bool fired = lab::wait_until([&] { return firing() == expected; }, 20s);
        INFO(describe(rx));
        REQUIRE(fired);

        // Each named with both values, once, and nothing else was sent.
        const auto got = received(rx);
        REQUIRE(got.size() == 2);
        for (const auto& a : got) {
            CHECK(a.rule == "zone_drift");
            const std::string head = a.record == "shop.test. SOA"
                                         ? "shop.test: [beta] shop.test. SOA: reference " +
                                               soa_rdata(new_serial) + ", served " +
                                               soa_rdata(old_serial) + " (address "
                                         : "shop.test: [beta] lab-bump.shop.test. TXT: reference " +
                                               txt_of_bump(old_bump + 1) + ", served " +
                                               txt_of_bump(old_bump) + " (address ";
            INFO(a.summary);
            REQUIRE(a.summary.rfind(head, 0) == 0);
            CHECK(
                is_beta_address(a.summary.substr(head.size(), a.summary.size() - head.size() - 1)));
        }
        CHECK(differing("beta") == 2);
        CHECK(differing("alpha") == 0);
        CHECK(differing("gamma") == 0);

        const json rows = zone_drift_rows();
        REQUIRE(rows.size() == 2);
        for (const auto& r : rows) {
            INFO(r.dump());
            CHECK(r["zone"] == "shop.test");
            CHECK(r["provider"] == "beta");
            CHECK(r["kind"] == "differs");
            CHECK(is_beta_address(r["address"].get<std::string>()));
            if (r["record"] == "shop.test. SOA") {
                CHECK(r["reference"] == soa_rdata(new_serial));
                CHECK(r["served"] == soa_rdata(old_serial));
            } else {
                CHECK(r["record"] == "lab-bump.shop.test. TXT");
                CHECK(r["reference"] == txt_of_bump(old_bump + 1));
                CHECK(r["served"] == txt_of_bump(old_bump));
            }
        }
    }
    // Unblocked: a fresh NOTIFY brings beta up to date; its next answers end both drifts.
    lab::notify();
    CHECK(lab::wait_sync() == new_serial);
    auto resolved = [&] {
        std::set<std::string> records;
        for (const auto& a : received(rx)) {
            if (a.status == "resolved") records.insert(a.provider + " " + a.record);
        }
        return records;
    };
    const bool cleared = lab::wait_until(
        [&] {
            return resolved() ==
                   std::set<std::string>{"beta lab-bump.shop.test. TXT", "beta shop.test. SOA"};
        },
        20s);
    INFO(describe(rx));
    REQUIRE(cleared);
    for (auto p : {lab::kAlpha, lab::kBeta, lab::kGamma}) {
        INFO("provider " << p);
        CHECK(differing(std::string(p)) == 0);
    }
    CHECK(zone_drift_rows() == json::array());
    // The whole test: two firing and two resolved zone_drift for beta, nothing else.
    const auto all = received(rx);
    CHECK(all.size() == 4);
    for (const auto& a : all) {
        INFO(a.summary);
        CHECK(a.rule == "zone_drift");
        CHECK(a.provider == "beta");
    }
}

TEST_CASE("reference: a transfer signed with the wrong TSIG secret is refused, named, not asked") {
    const fs::path dir = lab::scratch_dir("nswatch-reference-badkey");
    nswatch::test::Receiver rx;
    // The right length and algorithm, another secret: BIND answers the AXFR with a TSIG error.
    Daemon daemon(dir, rx.url("/hook"), kByKey, "d3Jvbmctc2VjcmV0LWZvci10aGUtbGFiLXhmci1rZXkh");
    json rows;
    REQUIRE(lab::wait_until(
        [&] {
            rows = zone_drift_rows();
            return rows.is_array() && !rows.empty();
        },
        15s));
    INFO(rows.dump());
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].value("zone", "") == "shop.test");
    const std::string served = rows[0].value("served", "");
    CHECK_THAT(served, Catch::Contains("the server answered NOTAUTH (TSIG BADSIG: the server's "
                                       "secret or algorithm for the key differs)"));
    CHECK_THAT(served, Catch::Contains("; next attempt at "));
    // Not asked again every 1 s round: the attempts come at 0, 1, 3, 7 s (doubling waits).
    auto failures_shown = [&](int n) {
        const json now = zone_drift_rows();
        return now.is_array() && now.size() == 1 &&
               now[0].value("served", "").find("(failure " + std::to_string(n) + " in a row)") !=
                   std::string::npos;
    };
    REQUIRE(lab::wait_until([&] { return failures_shown(3); }, 10s));
    std::this_thread::sleep_for(2s);  // the 4th attempt is due 4 s after the 3rd
    CHECK(failures_shown(3));
    CHECK(lab::wait_until([&] { return failures_shown(4); }, 5s));
    // Without a reference nothing is asked, so nothing is judged or reported as drift.
    for (auto p : {lab::kAlpha, lab::kBeta, lab::kGamma}) CHECK(checked(std::string(p)) <= 0);
    std::ifstream log(dir / "daemon.log");
    const std::string text((std::istreambuf_iterator<char>(log)), {});
    CHECK_THAT(text, Catch::Contains("reference: shop.test: "));
}
