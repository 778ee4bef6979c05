#include <catch2/catch.hpp>

#include "exporter/snapshot_collector.hpp"
#include "exporter_test_support.hpp"

using namespace nswatch;
using test::find_metric;

namespace {

const std::map<std::string, std::string> alpha{
    {"zone", "shop.test"}, {"ip", "192.0.2.1"}, {"provider", "alpha"}, {"vantage", "fra"}};
const std::map<std::string, std::string> beta{
    {"zone", "shop.test"},  {"nameserver", "ns1.beta.test"},
    {"ip", "2001:db8::53"}, {"family", "ipv6"},
    {"transport", "udp"},   {"provider", "beta"},
    {"vantage", "fra"}};

double value(const std::vector<prometheus::MetricFamily>& f, const std::string& name,
             const std::map<std::string, std::string>& labels) {
    const auto* m = find_metric(f, name, labels);
    if (m == nullptr) FAIL("no " << name << " sample with the expected labels");
    return m->gauge.value;
}

}  // namespace

TEST_CASE("SnapshotCollector renders per-target state", "[exporter][metrics]") {
    const auto f = snapshot_families(test::sample_snapshot());
    CHECK(value(f, "nswatch_probe_success", alpha) == 1);
    CHECK(value(f, "nswatch_probe_success", beta) == 0);
    CHECK(value(f, "nswatch_soa_serial", alpha) == 2026112203);
    CHECK(value(f, "nswatch_soa_serial", beta) == 2026112201);
    CHECK(value(f, "nswatch_serial_behind_versions", alpha) == 0);
    CHECK(value(f, "nswatch_serial_behind_versions", beta) == 2);
    CHECK(value(f, "nswatch_serial_lag_seconds", beta) == 120.5);
    CHECK(value(f, "nswatch_nameserver_up", alpha) == 1);
    CHECK(value(f, "nswatch_nameserver_up", beta) == 0);
    auto info = alpha;
    info["nsid"] = "<script>alert(1)</script>";
    CHECK(value(f, "nswatch_nameserver_info", info) == 1);
}

TEST_CASE("SnapshotCollector renders provider and zone state", "[exporter][metrics]") {
    const auto f = snapshot_families(test::sample_snapshot());
    const std::map<std::string, std::string> a{
        {"zone", "shop.test"}, {"provider", "alpha"}, {"vantage", "fra"}};
    const std::map<std::string, std::string> b{
        {"zone", "shop.test"}, {"provider", "beta"}, {"vantage", "fra"}};
    CHECK(value(f, "nswatch_provider_up", a) == 1);
    CHECK(value(f, "nswatch_provider_up", b) == 0);
    CHECK(value(f, "nswatch_provider_lagging", a) == 0);
    CHECK(value(f, "nswatch_provider_lagging", b) == 1);
    const std::map<std::string, std::string> zone{{"zone", "shop.test"}};
    CHECK(value(f, "nswatch_zone_newest_serial", zone) == 2026112203);
    CHECK(value(f, "nswatch_delegation_consistent", zone) == 0);
    CHECK(value(f, "nswatch_zone_answers_consistent", zone) == 1);
    CHECK(value(f, "nswatch_snapshot_timestamp_seconds", {}) == Approx(1795327200.123456789));
}

TEST_CASE("SnapshotCollector leaves out serials nobody answered", "[exporter][metrics]") {
    Snapshot s = test::sample_snapshot();
    s.zones[0].newest_serial.reset();
    s.zones[0].targets[1].serial.reset();
    const auto f = snapshot_families(s);
    CHECK(find_metric(f, "nswatch_zone_newest_serial", {{"zone", "shop.test"}}) == nullptr);
    CHECK(find_metric(f, "nswatch_soa_serial", beta) == nullptr);
    CHECK(find_metric(f, "nswatch_soa_serial", alpha) != nullptr);
}

TEST_CASE("SnapshotCollector reads the snapshot at every Collect", "[exporter][metrics]") {
    SnapshotPtr current;
    SnapshotCollector c([&] { return current; });
    CHECK(c.Collect().empty());  // nothing probed yet: no families, not zeros
    current = test::sample_snapshot_ptr();
    CHECK(find_metric(c.Collect(), "nswatch_probe_success", alpha) != nullptr);
}

TEST_CASE("SnapshotCollector flags a target ahead of the primary, only where a primary is named",
          "[exporter][metrics]") {
    Snapshot s = test::sample_snapshot();
    CHECK(find_metric(snapshot_families(s), "nswatch_serial_ahead_of_primary", alpha) == nullptr);

    s.zones[0].has_primary = true;
    s.zones[0].targets[0].serial_state = SerialState::ahead_of_primary;
    const auto f = snapshot_families(s);
    CHECK(value(f, "nswatch_serial_ahead_of_primary", alpha) == 1);
    CHECK(value(f, "nswatch_serial_ahead_of_primary", beta) == 0);
}

TEST_CASE("SnapshotCollector exports the earliest RRSIG expiration of a target's answer",
          "[exporter][metrics]") {
    Snapshot s = test::sample_snapshot();
    CHECK(find_metric(snapshot_families(s), "nswatch_dnssec_signature_expiry_timestamp_seconds",
                      alpha) == nullptr);  // unsigned answer: no series
    ProbeResult last =
        to_probe_result(s.zones[0].targets[0].last, s.zones[0].targets[0].target.full());
    last.answer.push_back(
        {"shop.test.", 46, 3600, "SOA 13 2 3600 20261231000000 20261201000000 1 shop.test. a"});
    s.zones[0].targets[0].last = keep_last(last);
    CHECK(value(snapshot_families(s), "nswatch_dnssec_signature_expiry_timestamp_seconds", alpha) ==
          1798675200);
}

TEST_CASE("SnapshotCollector says when a zone's delegation is missing, and why",
          "[exporter][metrics]") {
    Snapshot s = test::sample_snapshot();
    const std::map<std::string, std::string> zone{{"zone", "shop.test"}};
    auto f = snapshot_families(s);
    CHECK(value(f, "nswatch_delegation_missing", zone) == 0);
    CHECK(test::find_metric(f, "nswatch_delegation_missing",
                            {{"zone", "shop.test"}, {"reason", "parent_nxdomain"}}) == nullptr);

    s.zones[0].delegation.consistent = false;
    s.zones[0].delegation.missing = MissingReason::parent_nxdomain;
    s.zones[0].delegation.missing_detail = "the parent's server 127.53.0.2 answers NXDOMAIN";
    f = snapshot_families(s);
    CHECK(value(f, "nswatch_delegation_missing",
                {{"zone", "shop.test"}, {"reason", "parent_nxdomain"}}) == 1);
    // One series per zone: no "0" beside the "1".
    size_t series = 0;
    for (const auto& fam : f) {
        if (fam.name == "nswatch_delegation_missing") series = fam.metric.size();
    }
    CHECK(series == 1);
    CHECK(value(f, "nswatch_delegation_consistent", zone) == 0);
}

TEST_CASE("SnapshotCollector renders key sets and signature validation per provider",
          "[exporter][metrics]") {
    Snapshot s;
    s.vantage = "fra";
    ZoneState z;
    z.zone = "shop.test";
    z.keysets = {{"alpha", "shop.test.", 48, {"111/13", "222/13"}, {}},
                 {"beta", "shop.test.", 48, {"111/13"}, {{"222/13", {"alpha"}}}}};
    const auto until = WallTime{} + std::chrono::seconds(1800000000);
    z.signatures = {
        {"beta",
         "fra",
         2,
         {{"ns1.beta.test", "192.0.2.2", "shop.test. SOA", SignatureFault::bogus, "111/13"}},
         until}};
    s.zones.push_back(z);
    const auto f = snapshot_families(s);
    const std::map<std::string, std::string> a{
        {"zone", "shop.test"}, {"provider", "alpha"}, {"rrtype", "DNSKEY"}};
    const std::map<std::string, std::string> b{
        {"zone", "shop.test"}, {"provider", "beta"}, {"rrtype", "DNSKEY"}};
    CHECK(value(f, "nswatch_keyset_mismatch", a) == 0);
    CHECK(value(f, "nswatch_keyset_mismatch", b) == 1);
    CHECK(value(f, "nswatch_dnssec_keys", a) == 2);
    CHECK(value(f, "nswatch_dnssec_keys", b) == 1);
    auto reason = [](const std::string& r) {
        return std::map<std::string, std::string>{
            {"zone", "shop.test"}, {"provider", "beta"}, {"vantage", "fra"}, {"reason", r}};
    };
    CHECK(value(f, "nswatch_dnssec_validation_failures", reason("bogus")) == 1);
    CHECK(value(f, "nswatch_dnssec_validation_failures", reason("missing_rrsig")) == 0);
    CHECK(value(f, "nswatch_dnssec_validation_failures", reason("unknown_key")) == 0);
    CHECK(value(f, "nswatch_dnssec_validation_failures", reason("expired")) == 0);
    CHECK(value(f, "nswatch_dnssec_signatures_valid_until_timestamp_seconds",
                {{"zone", "shop.test"}, {"provider", "beta"}, {"vantage", "fra"}}) == 1800000000);
    CHECK(find_metric(f, "nswatch_dnssec_validation_failures", {{"provider", "alpha"}}) ==
          nullptr);  // alpha's signatures were not judged
}
