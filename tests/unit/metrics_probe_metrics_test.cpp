#include <catch2/catch.hpp>

#include "exporter/probe_metrics.hpp"
#include "exporter_test_support.hpp"

using namespace nswatch;
using test::find_metric;

namespace {

ProbeResult result(Outcome o, std::chrono::microseconds rtt) {
    ProbeResult r;
    r.target = test::sample_target("alpha", "ns1.alpha.test", "192.0.2.1");
    r.outcome = o;
    r.rcode = o == Outcome::timeout ? -1 : 0;
    r.rtt = rtt;
    return r;
}

const std::map<std::string, std::string> alpha{
    {"zone", "shop.test"}, {"nameserver", "ns1.alpha.test"},
    {"ip", "192.0.2.1"},   {"family", "ipv4"},
    {"transport", "udp"},  {"provider", "alpha"},
    {"vantage", "fra"}};

}  // namespace

TEST_CASE("ProbeMetrics counts probes by target and outcome", "[exporter][metrics]") {
    ProbeMetrics m("1.2.3");
    m.observe(result(Outcome::ok, std::chrono::microseconds(800)));
    m.observe(result(Outcome::ok, std::chrono::microseconds(3000)));
    m.observe(result(Outcome::timeout, std::chrono::seconds(2)));
    const auto families = m.Collect();

    auto ok = alpha;
    ok["outcome"] = "ok";
    auto timeout = alpha;
    timeout["outcome"] = "timeout";
    REQUIRE(find_metric(families, "nswatch_probes_total", ok) != nullptr);
    CHECK(find_metric(families, "nswatch_probes_total", ok)->counter.value == 2);
    REQUIRE(find_metric(families, "nswatch_probes_total", timeout) != nullptr);
    CHECK(find_metric(families, "nswatch_probes_total", timeout)->counter.value == 1);
    // Outcomes never seen make no series: 12 outcomes for every target would be mostly zeros.
    auto refused = alpha;
    refused["outcome"] = "refused";
    CHECK(find_metric(families, "nswatch_probes_total", refused) == nullptr);

    const auto* build = find_metric(families, "nswatch_build_info", {{"version", "1.2.3"}});
    REQUIRE(build != nullptr);
    CHECK(build->gauge.value == 1);
}

TEST_CASE("ProbeMetrics times only probes that got a reply", "[exporter][metrics]") {
    ProbeMetrics m("test");
    m.observe(result(Outcome::ok, std::chrono::microseconds(800)));
    m.observe(result(Outcome::ok, std::chrono::microseconds(3000)));
    m.observe(result(Outcome::timeout, std::chrono::seconds(2)));
    const auto families = m.Collect();  // find_metric points into it
    const auto* h = find_metric(families, "nswatch_probe_duration_seconds", alpha);
    REQUIRE(h != nullptr);
    CHECK(h->histogram.sample_count == 2);
    CHECK(h->histogram.sample_sum == Approx(0.0038));
    REQUIRE(h->histogram.bucket.size() == default_duration_buckets().size() + 1);
    CHECK(h->histogram.bucket[0].upper_bound == 0.0005);
    CHECK(h->histogram.bucket[1].cumulative_count == 1);  // <= 1 ms
    CHECK(h->histogram.bucket[3].cumulative_count == 2);  // <= 5 ms
}

TEST_CASE("ProbeMetrics uses the configured buckets", "[exporter][metrics]") {
    ProbeMetrics m("test", {0.01, 0.1});
    m.observe(result(Outcome::ok, std::chrono::milliseconds(50)));
    const auto families = m.Collect();  // find_metric points into it
    const auto* h = find_metric(families, "nswatch_probe_duration_seconds", alpha);
    REQUIRE(h != nullptr);
    REQUIRE(h->histogram.bucket.size() == 3);  // 0.01, 0.1, +Inf
    CHECK(h->histogram.bucket[0].cumulative_count == 0);
    CHECK(h->histogram.bucket[1].cumulative_count == 1);
}

TEST_CASE("ProbeMetrics keeps targets apart by every label", "[exporter][metrics]") {
    ProbeMetrics m("test");
    auto udp = result(Outcome::ok, std::chrono::microseconds(800));
    auto tcp = udp;
    tcp.target.transport = Transport::tcp;
    auto other_vantage = udp;
    other_vantage.target.vantage = "nyc";
    for (const auto& r : {udp, tcp, tcp, other_vantage}) m.observe(r);
    const auto families = m.Collect();
    auto tcp_labels = alpha;
    tcp_labels["transport"] = "tcp";
    auto nyc_labels = alpha;
    nyc_labels["vantage"] = "nyc";
    CHECK(find_metric(families, "nswatch_probes_total", alpha)->counter.value == 1);
    CHECK(find_metric(families, "nswatch_probes_total", tcp_labels)->counter.value == 2);
    CHECK(find_metric(families, "nswatch_probes_total", nyc_labels)->counter.value == 1);
}

TEST_CASE("ProbeMetrics counts watched probes per provider, and answer changes",
          "[exporter][metrics]") {
    ProbeMetrics m("test");
    auto r = result(Outcome::ok, std::chrono::microseconds(500));
    m.observe_watched(r);
    r.target.address = "192.0.2.2";  // another address of the same provider: the same series
    m.observe_watched(r);
    m.observe_watched(result(Outcome::timeout, std::chrono::seconds(2)));
    m.count_answer_change("shop.test", "alpha");
    const auto families = m.Collect();
    const std::map<std::string, std::string> ok{
        {"zone", "shop.test"}, {"provider", "alpha"}, {"vantage", "fra"}, {"outcome", "ok"}};
    REQUIRE(find_metric(families, "nswatch_answer_probes_total", ok) != nullptr);
    CHECK(find_metric(families, "nswatch_answer_probes_total", ok)->counter.value == 2);
    auto timeout = ok;
    timeout["outcome"] = "timeout";
    REQUIRE(find_metric(families, "nswatch_answer_probes_total", timeout) != nullptr);
    CHECK(find_metric(families, "nswatch_answer_probes_total", timeout)->counter.value == 1);
    const auto* changed = find_metric(families, "nswatch_answer_changes_total",
                                      {{"zone", "shop.test"}, {"provider", "alpha"}});
    REQUIRE(changed != nullptr);
    CHECK(changed->counter.value == 1);
    // Watched probes are not SOA probes: the per-target series are untouched.
    auto soa_ok = alpha;
    soa_ok["outcome"] = "ok";
    CHECK(find_metric(families, "nswatch_probes_total", soa_ok) == nullptr);
}

TEST_CASE("ProbeMetrics drops the series of zones a reload removed", "[exporter][metrics]") {
    ProbeMetrics m("test");
    m.observe(result(Outcome::ok, std::chrono::microseconds(800)));
    m.observe_watched(result(Outcome::ok, std::chrono::microseconds(800)));
    m.count_answer_change("shop.test", "alpha");
    auto blog = result(Outcome::ok, std::chrono::microseconds(900));
    blog.target.zone = "blog.test";
    m.observe(blog);

    m.retain_zones({"blog.test"});
    const auto families = m.Collect();
    auto ok = alpha;
    ok["outcome"] = "ok";
    CHECK(find_metric(families, "nswatch_probes_total", ok) == nullptr);
    CHECK(find_metric(families, "nswatch_probe_duration_seconds", alpha) == nullptr);
    CHECK(find_metric(families, "nswatch_answer_changes_total",
                      {{"zone", "shop.test"}, {"provider", "alpha"}}) == nullptr);
    auto blog_ok = ok;
    blog_ok["zone"] = "blog.test";
    CHECK(find_metric(families, "nswatch_probes_total", blog_ok) != nullptr);
    // A zone that comes back starts from zero rather than from a dangling pointer.
    m.observe(result(Outcome::ok, std::chrono::microseconds(800)));
    CHECK(find_metric(m.Collect(), "nswatch_probes_total", ok)->counter.value == 1);
}

TEST_CASE("ProbeMetrics histogram per provider or off, as http.rtt_histogram says",
          "[exporter][metrics]") {
    ProbeMetrics by_provider("test", default_duration_buckets(),
                             ProbeMetrics::HistogramBy::provider);
    auto r = result(Outcome::ok, std::chrono::microseconds(800));
    by_provider.observe(r);
    r.target.address = "192.0.2.2";  // a second address of alpha: the same histogram
    r.target.nameserver = "ns2.alpha.test";
    by_provider.observe(r);
    auto families = by_provider.Collect();
    const std::map<std::string, std::string> provider_labels{{"zone", "shop.test"},
                                                             {"provider", "alpha"},
                                                             {"vantage", "fra"},
                                                             {"transport", "udp"},
                                                             {"family", "ipv4"}};
    const auto* h = find_metric(families, "nswatch_probe_duration_seconds", provider_labels);
    REQUIRE(h != nullptr);
    CHECK(h->histogram.sample_count == 2);
    for (const auto& f : families) {
        if (f.name != "nswatch_probe_duration_seconds") continue;
        REQUIRE(f.metric.size() == 1);
        for (const auto& l : f.metric[0].label) CHECK((l.name != "ip" && l.name != "nameserver"));
    }
    // Probe counters stay per target.
    auto ok = alpha;
    ok["outcome"] = "ok";
    CHECK(find_metric(families, "nswatch_probes_total", ok) != nullptr);

    ProbeMetrics off("test", default_duration_buckets(), ProbeMetrics::HistogramBy::off);
    off.observe(result(Outcome::ok, std::chrono::microseconds(800)));
    for (const auto& f : off.Collect()) {
        if (f.name == "nswatch_probe_duration_seconds") CHECK(f.metric.empty());
    }
}

TEST_CASE("ProbeMetrics keeps every outcome of a target, and thousands of targets, apart",
          "[exporter][metrics]") {
    ProbeMetrics m("test");
    // Past the two outcomes kept with a series, and past the first block of series.
    const std::vector<Outcome> outcomes{Outcome::ok, Outcome::timeout, Outcome::refused,
                                        Outcome::servfail, Outcome::ok};
    for (int z = 0; z < 3000; ++z) {
        for (size_t i = 0; i < outcomes.size(); ++i) {
            auto r = result(outcomes[i], std::chrono::microseconds(700));
            r.target.zone = "z" + std::to_string(z) + ".test";
            if (z % 2 == 1 || i < 2) m.observe(r);  // odd zones: all outcomes, even: ok, timeout
        }
    }
    m.retain_zones({"z1.test", "z2.test", "z2999.test"});
    const auto families = m.Collect();
    auto labels = [&](const std::string& zone, Outcome o) {
        auto l = alpha;
        l["zone"] = zone;
        l["outcome"] = std::string(to_string(o));
        return l;
    };
    for (const std::string zone : {"z1.test", "z2999.test"}) {
        CHECK(find_metric(families, "nswatch_probes_total", labels(zone, Outcome::ok))
                  ->counter.value == 2);
        for (Outcome o : {Outcome::timeout, Outcome::refused, Outcome::servfail}) {
            REQUIRE(find_metric(families, "nswatch_probes_total", labels(zone, o)) != nullptr);
            CHECK(find_metric(families, "nswatch_probes_total", labels(zone, o))->counter.value ==
                  1);
        }
        auto l = alpha;
        l["zone"] = zone;
        // Four replies timed: ok twice, and the refusal and the servfail (replies too).
        CHECK(find_metric(families, "nswatch_probe_duration_seconds", l)->histogram.sample_count ==
              4);
    }
    CHECK(find_metric(families, "nswatch_probes_total", labels("z2.test", Outcome::ok))
              ->counter.value == 1);
    CHECK(find_metric(families, "nswatch_probes_total", labels("z2.test", Outcome::refused)) ==
          nullptr);
    CHECK(find_metric(families, "nswatch_probes_total", labels("z3.test", Outcome::ok)) == nullptr);
    for (const auto& f : families) {
        if (f.name == "nswatch_probes_total") CHECK(f.metric.size() == 4 + 4 + 2);
    }
}

TEST_CASE("ProbeMetrics counts Extended DNS Errors by code, and drops them with their zone",
          "[exporter][metrics]") {
    ProbeMetrics m("test");
    auto r = result(Outcome::refused, std::chrono::microseconds(700));
    r.extended_errors = {{20, "not served here"}};
    m.observe(r);
    m.observe(r);
    r.extended_errors = {{20, "other text, same code"}, {18, ""}};
    m.observe(r);
    m.observe(result(Outcome::ok, std::chrono::microseconds(700)));  // no EDE: counts nothing
    const std::map<std::string, std::string> ede20{{"zone", "shop.test"},
                                                   {"provider", "alpha"},
                                                   {"vantage", "fra"},
                                                   {"code", "20"},
                                                   {"name", "Not Authoritative"}};
    auto families = m.Collect();
    REQUIRE(find_metric(families, "nswatch_extended_errors_total", ede20) != nullptr);
    CHECK(find_metric(families, "nswatch_extended_errors_total", ede20)->counter.value == 3);
    auto ede18 = ede20;
    ede18["code"] = "18";
    ede18["name"] = "Prohibited";
    REQUIRE(find_metric(families, "nswatch_extended_errors_total", ede18) != nullptr);
    CHECK(find_metric(families, "nswatch_extended_errors_total", ede18)->counter.value == 1);

    m.retain_zones({"blog.test"});
    families = m.Collect();
    CHECK(find_metric(families, "nswatch_extended_errors_total", ede20) == nullptr);
    CHECK(find_metric(families, "nswatch_extended_errors_total", ede18) == nullptr);
}

TEST_CASE("ProbeMetrics exports the instance's shard, replaced on a change",
          "[exporter][metrics]") {
    ProbeMetrics m("test");
    // Not sharded yet (set_shard not called): no family at all.
    for (const auto& f : m.Collect()) CHECK(f.name != "nswatch_shard_info");

    m.set_shard(1, 4);
    auto families = m.Collect();
    const auto* shard =
        find_metric(families, "nswatch_shard_info", {{"index", "1"}, {"count", "4"}});
    REQUIRE(shard != nullptr);
    CHECK(shard->gauge.value == 1);

    // A reload that changes the shard: one series, the new one.
    m.set_shard(0, 8);
    families = m.Collect();
    CHECK(find_metric(families, "nswatch_shard_info", {{"index", "1"}, {"count", "4"}}) == nullptr);
    REQUIRE(find_metric(families, "nswatch_shard_info", {{"index", "0"}, {"count", "8"}}) !=
            nullptr);
    for (const auto& f : families) {
        if (f.name == "nswatch_shard_info") CHECK(f.metric.size() == 1);
    }
}
