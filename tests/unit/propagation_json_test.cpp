// The propagation section of /api/v1/status: the newest run per zone, provider and vantage.
#include "propagation/propagation_json.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

PropagationRecord run(uint32_t serial, PropagationTime started, std::optional<double> beta_secs) {
    PropagationRecord r;
    r.zone = "shop.test";
    r.serial = serial;
    r.trigger = "notify";
    r.started = started;
    r.end_reason = beta_secs ? "complete" : "deadline";
    ProviderPropagation alpha{"alpha", "v1", 2, 2, 0.05, "127.53.1.2"};
    ProviderPropagation beta{"beta", "v1", 2, beta_secs ? 2u : 1u, beta_secs, "127.53.2.2"};
    r.providers = {alpha, beta};
    return r;
}

}  // namespace

TEST_CASE("propagation json: newest run per provider, incomplete as null seconds") {
    const PropagationTime t0 = PropagationTime{} + 1800000000s;
    // Newest first, as PropagationService::recent() returns them.
    const auto j = last_propagation_json({run(12, t0 + 60s, std::nullopt), run(11, t0, 0.4)});
    REQUIRE(j.size() == 2);
    CHECK(j[0]["provider"] == "alpha");
    CHECK(j[0]["serial"] == 12);
    CHECK(j[0]["seconds"] == 0.05);
    CHECK(j[1]["provider"] == "beta");
    CHECK(j[1]["serial"] == 12);       // the newest run, not the last complete one
    CHECK(j[1]["seconds"].is_null());  // did not complete
    CHECK(j[1]["served"] == "1/2");
    CHECK(j[1]["end_reason"] == "deadline");
    CHECK(j[1]["started_unix_ms"] == (1800000000LL + 60) * 1000);
    CHECK(last_propagation_json({}).empty());
}
