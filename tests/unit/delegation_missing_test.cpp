// delegation/delegation_missing: what discovery was told and what the newest probes say, together.
#include "monitor/delegation_missing.hpp"

#include <catch2/catch.hpp>

#include "monitor/zone_state.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

const WallTime t0 = WallTime{} + 1800000000s;

TargetState target(const std::string& ns, const std::string& address, Outcome outcome,
                   WallTime sent) {
    TargetState t;
    Target full;
    full.zone = "shop.test";
    full.nameserver = ns;
    full.address = address;
    full.provider = ns.substr(ns.find('.') + 1);
    full.vantage = "fra";
    t.target = full;
    ProbeResult r;
    r.target = full;
    r.query.name = "shop.test";
    r.sent_wall = sent;
    r.outcome = outcome;
    r.rcode = outcome == Outcome::ok ? 0 : outcome == Outcome::refused ? 5 : 3;
    r.aa = outcome == Outcome::ok;
    t.last = keep_last(r);
    return t;
}

ZoneState zone_discovered(MissingReason reason, std::string detail) {
    ZoneState z;
    z.zone = "shop.test";
    z.delegation.discovered = t0;
    z.delegation.missing = reason;
    z.delegation.missing_detail = std::move(detail);
    return z;
}

}  // namespace

TEST_CASE("delegation missing: what the parent said stands until the next discovery",
          "[delegation_missing]") {
    ZoneState z = zone_discovered(MissingReason::parent_nxdomain,
                                  "the parent's server 127.53.0.2 (zone 'test') answers NXDOMAIN");
    // A zone with no probe round at all (never found) is judged the same.
    DelegationMissing m = delegation_missing(z);
    CHECK(m.reason == MissingReason::parent_nxdomain);
    CHECK(m.detail == "the parent's server 127.53.0.2 (zone 'test') answers NXDOMAIN");
    // The last known servers still answering does not bring the delegation back.
    z.targets = {target("ns1.alpha.test", "192.0.2.1", Outcome::ok, t0 + 10s)};
    CHECK(delegation_missing(z).reason == MissingReason::parent_nxdomain);

    z.delegation.missing = MissingReason::parent_nodata;
    CHECK(delegation_missing(z).reason == MissingReason::parent_nodata);
    z.delegation.missing = MissingReason::ns_without_address;
    CHECK(delegation_missing(z).reason == MissingReason::ns_without_address);
}

TEST_CASE("delegation missing: lame servers found by discovery end at the first answer since",
          "[delegation_missing]") {
    ZoneState z =
        zone_discovered(MissingReason::servers_lame, "every delegated server answers ... refused");
    z.targets = {target("ns1.alpha.test", "192.0.2.1", Outcome::ok, t0 - 5s)};
    CHECK(delegation_missing(z).reason == MissingReason::servers_lame);  // before discovery
    z.targets.push_back(target("ns1.beta.test", "192.0.2.2", Outcome::ok, t0 + 5s));
    CHECK_FALSE(delegation_missing(z).missing());
}

TEST_CASE("delegation missing: every target lame in the newest probes, without a discovery",
          "[delegation_missing]") {
    ZoneState z = zone_discovered(MissingReason::none, "");
    CHECK_FALSE(delegation_missing(z).missing());  // no targets: nothing says it is gone
    z.targets = {target("ns1.alpha.test", "192.0.2.1", Outcome::refused, t0 + 1s),
                 target("ns2.alpha.test", "192.0.2.2", Outcome::not_authoritative, t0 + 1s),
                 target("ns1.beta.test", "192.0.2.3", Outcome::nxdomain, t0 + 1s)};
    const DelegationMissing m = delegation_missing(z);
    CHECK(m.reason == MissingReason::servers_lame);
    CHECK_THAT(m.detail, Contains("ns1.alpha.test (192.0.2.1) refused"));
    CHECK_THAT(m.detail, Contains("ns2.alpha.test (192.0.2.2) not_authoritative"));
    CHECK_THAT(m.detail, Contains("ns1.beta.test (192.0.2.3) nxdomain"));

    // One server that answers, or one that times out (could not ask), is not "every server lame".
    z.targets.push_back(target("ns2.beta.test", "192.0.2.4", Outcome::timeout, t0 + 1s));
    CHECK_FALSE(delegation_missing(z).missing());
    z.targets.back() = target("ns2.beta.test", "192.0.2.4", Outcome::ok, t0 + 1s);
    CHECK_FALSE(delegation_missing(z).missing());
}

TEST_CASE("delegation missing: many lame servers are named five at a time",
          "[delegation_missing]") {
    ZoneState z = zone_discovered(MissingReason::none, "");
    for (int i = 1; i <= 8; ++i) {
        z.targets.push_back(target("ns" + std::to_string(i) + ".alpha.test",
                                   "192.0.2." + std::to_string(i), Outcome::refused, t0));
    }
    CHECK_THAT(delegation_missing(z).detail, Contains(" and 3 more"));
}

TEST_CASE("delegation missing: reasons by name", "[delegation_missing]") {
    for (auto r : {MissingReason::parent_nxdomain, MissingReason::parent_nodata,
                   MissingReason::ns_without_address, MissingReason::servers_lame}) {
        CHECK(missing_reason_from_string(to_string(r)) == r);
    }
    CHECK(to_string(MissingReason::none) == "none");
    CHECK(missing_reason_from_string("bogus") == MissingReason::none);
}
