// Tests for zonediff/diff_plan: which providers a scheduled diff transfers a zone from, and the
// one log line of a run. Pure values, no transfers.
#include "zonediff/diff_plan.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

namespace {

constexpr uint16_t kA = 1, kTXT = 16;

ProviderTransfer transfer(const std::string& provider, const std::string& server) {
    ProviderTransfer t;
    t.provider = provider;
    t.transfer.server = server;
    return t;
}

ZoneState zone_served_by(const std::vector<std::string>& providers) {
    ZoneState z;
    z.zone = "shop.test";
    for (const auto& p : providers) {
        ProviderState s;
        s.provider = p;
        z.providers.push_back(s);
    }
    return z;
}

}  // namespace

TEST_CASE("diff plan: providers with transfer settings that serve the zone, in config order",
          "[diff_plan]") {
    const std::vector<ProviderTransfer> transfers{transfer("gamma", "192.0.2.3"),
                                                  transfer("alpha", "192.0.2.1"),
                                                  transfer("other", "192.0.2.9")};
    const auto chosen = providers_to_diff(transfers, zone_served_by({"alpha", "beta", "gamma"}));
    REQUIRE(chosen.size() == 2);
    CHECK(chosen[0]->provider == "gamma");  // config order: gamma is the reference
    CHECK(chosen[1]->provider == "alpha");
    // A zone the monitor has not probed yet (no providers known): nothing to transfer.
    CHECK(providers_to_diff(transfers, zone_served_by({})).empty());
}

TEST_CASE("diff plan: a run in one log line and its outcome", "[diff_plan]") {
    std::vector<Record> a{{"lab-bump.shop.test.", kTXT, 300, "\"7\""},
                          {"www.shop.test.", kA, 300, "192.0.2.80"}};
    std::vector<Record> b{{"lab-bump.shop.test.", kTXT, 300, "\"6\""},
                          {"www.shop.test.", kA, 300, "192.0.2.80"}};
    ZoneDiffResult r{"shop.test",
                     {},
                     {compared_pair("alpha", 7, "beta", 6, diff_sorted(a, b)),
                      compared_pair("alpha", 7, "gamma", 7, diff_sorted(a, a))}};
    CHECK(describe_run(r) ==
          "shop.test: beta differs from alpha in 1 RRset (lab-bump.shop.test. TXT changed); "
          "gamma identical to alpha");
    CHECK(run_outcome(r) == "differ");
    r.pairs[0] = failed_pair("alpha", "beta", "beta: 192.0.2.2: refused", nullptr);
    CHECK(describe_run(r) ==
          "shop.test: beta not compared with alpha (beta: 192.0.2.2: refused); gamma identical to "
          "alpha");
    CHECK(run_outcome(r) == "error");
    r.pairs.erase(r.pairs.begin());
    CHECK(run_outcome(r) == "equal");
}
