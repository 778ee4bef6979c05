// Delegation discovery against the real lab: private root -> TLD -> shop.test on BIND/NSD/Knot.
#include "delegation/discovery.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "lab_env.hpp"

using namespace nswatch;

namespace {
Delegation discover_shop(ProbeEngine& engine, bool ipv6 = true) {
    DiscoveryOptions opts;
    opts.resolver.timeout = std::chrono::milliseconds(1000);
    opts.resolver.ipv6 = ipv6;
    return discover_delegation(engine, load_root_hints_file(lab::root_hints()), "shop.test",
                               ProviderClassifier{}, opts);
}
}  // namespace

TEST_CASE("discovery walks the private root and TLD to shop.test's parent-side NS set") {
    ProbeEngine engine;
    const Delegation d = discover_shop(engine);
    INFO(d.error);
    REQUIRE(d.ok());
    CHECK(d.parent_zone == "test");
    CHECK((d.parent_server == lab::kTldV4 || d.parent_server == lab::kTldV6));
    std::vector<std::string> expected;
    for (const auto& ns : lab::kNameServers) expected.emplace_back(ns.name);
    std::sort(expected.begin(), expected.end());
    CHECK(d.parent_ns == expected);
    CHECK(d.parent_ns_ttl == lab::kNsTtl);
    CHECK(d.child_ns == expected);
    CHECK(d.ns_sets_agree());
}

TEST_CASE("discovery resolves IPv4 and IPv6 of every NS name and groups providers by domain") {
    ProbeEngine engine;
    const Delegation d = discover_shop(engine);
    REQUIRE(d.ok());
    REQUIRE(d.nameservers.size() == lab::kNameServers.size());
    std::set<std::string> addresses;
    for (const auto& ns : d.nameservers) {
        INFO(ns.name << ": " << ns.error);
        CHECK(ns.in_parent);
        CHECK(ns.in_child);
        CHECK_FALSE(ns.cname);
        CHECK(ns.addresses.size() == 2);
        addresses.insert(ns.addresses.begin(), ns.addresses.end());
        const auto dot = ns.name.find('.');
        CHECK(ns.provider == ns.name.substr(dot + 1));  // ns1.alpha-dns.test -> alpha-dns.test
    }
    std::set<std::string> expected(lab::kNameServerAddresses.begin(),
                                   lab::kNameServerAddresses.end());
    CHECK(addresses == expected);
    CHECK(d.providers() ==
          std::vector<std::string>{"alpha-dns.test", "beta-dns.test", "gamma-dns.test"});
    // Every address answered the child NS query.
    CHECK(d.child_ns_answers.size() == 12);
}

TEST_CASE("discovery with IPv6 off finds only IPv4 addresses") {
    ProbeEngine engine;
    const Delegation d = discover_shop(engine, false);
    REQUIRE(d.ok());
    for (const auto& ns : d.nameservers) {
        REQUIRE(ns.addresses.size() == 1);
        CHECK(ns.addresses.front().find(':') == std::string::npos);
    }
}

TEST_CASE("discovery of a zone that does not exist reports NXDOMAIN from the parent") {
    ProbeEngine engine;
    DiscoveryOptions opts;
    opts.resolver.timeout = std::chrono::milliseconds(1000);
    const Delegation d = discover_delegation(engine, load_root_hints_file(lab::root_hints()),
                                             "nosuchzone.test", ProviderClassifier{}, opts);
    CHECK_FALSE(d.ok());
    CHECK_THAT(d.error, Catch::Contains("NXDOMAIN"));
    // The parent answered: a missing delegation, naming the TLD's server, not "could not ask".
    CHECK(d.missing.reason == MissingReason::parent_nxdomain);
    CHECK(d.parent_zone == "test");
    CHECK((d.parent_server == lab::kTldV4 || d.parent_server == lab::kTldV6));
    CHECK_THAT(d.missing.detail, Catch::Contains(d.parent_server));
}
