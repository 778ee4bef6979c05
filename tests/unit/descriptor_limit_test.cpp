// daemon/descriptor_limit: the soft open-files limit goes up to the hard one; the plan that fits
// the daemon into the limit.
#include "daemon/descriptor_limit.hpp"

#include <sys/resource.h>

#include <catch2/catch.hpp>

#include "config/config.hpp"

TEST_CASE("descriptor limit: the soft limit is raised to the hard limit", "[cli]") {
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    REQUIRE(saved.rlim_max >= 64);  // room to lower the soft limit below it
    rlimit lowered = saved;
    lowered.rlim_cur = 32;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    nswatch::raise_descriptor_limit();
    rlimit now{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &now) == 0);
    CHECK(now.rlim_cur == saved.rlim_max);
    setrlimit(RLIMIT_NOFILE, &saved);
}

TEST_CASE("descriptor plan: no cap when the limit is unlimited", "[cli][descriptors]") {
    nswatch::DescriptorNeeds n;
    n.probe_sockets = 100'000;
    n.base = 40;
    n.discovery_workers = 4;
    n.per_discovery_worker = 32;
    const auto plan = nswatch::plan_descriptors(n, 0);
    CHECK(plan.probe_sockets == 0);
    CHECK(plan.discovery_workers == 4);
    CHECK_FALSE(plan.short_of_descriptors);
    CHECK(plan.summary.empty());
    CHECK(plan.needed == 40 + 4 * 32 + 100'000);
}

TEST_CASE("descriptor plan: a limit that covers everything caps at what is left, silently",
          "[cli][descriptors]") {
    nswatch::DescriptorNeeds n;
    n.probe_sockets = 600;
    n.base = 40;
    n.discovery_workers = 4;
    n.per_discovery_worker = 32;
    const auto plan = nswatch::plan_descriptors(n, 1'048'576);
    CHECK_FALSE(plan.short_of_descriptors);
    CHECK(plan.summary.empty());
    CHECK(plan.discovery_workers == 4);
    // Discovered zones may add addresses: the cap is what the limit leaves, not the known need.
    CHECK(plan.probe_sockets == 1'048'576 - 40 - 4 * 32);
}

TEST_CASE("descriptor plan: 300 addresses under a hard limit of 64", "[cli][descriptors]") {
    nswatch::DescriptorNeeds n;
    n.addresses = 300;
    n.probe_sockets = 600;  // UDP and TCP
    n.base = 32;
    n.max_in_flight = 1024;
    const auto plan = nswatch::plan_descriptors(n, 64);
    REQUIRE(plan.short_of_descriptors);
    CHECK(plan.probe_sockets == 32);
    CHECK(plan.needed == 632);
    CHECK(plan.summary ==
          "open-files limit 64 is short of the 632 descriptors this configuration needs (600 "
          "probe sockets for 300 addresses, 0 for 0 discovery workers, 32 for HTTP, history and "
          "the rest): probing with at most 32 sockets open and 32 probes in flight, the others "
          "wait their turn; raise the hard limit (ulimit -Hn, systemd LimitNOFILE=) to at least "
          "632 to probe at full speed");
}

TEST_CASE("descriptor plan: discovery workers give way to probe sockets, down to one",
          "[cli][descriptors]") {
    nswatch::DescriptorNeeds n;
    n.addresses = 50;
    n.probe_sockets = 100;
    n.base = 40;
    n.discovery_workers = 4;
    n.per_discovery_worker = 32;
    n.max_in_flight = 16;
    // 200 - 40 = 160 left: 4 workers (128) leave 32 sockets (>= 8), so all 4 stay.
    auto plan = nswatch::plan_descriptors(n, 200);
    CHECK(plan.discovery_workers == 4);
    CHECK(plan.probe_sockets == 32);
    CHECK(plan.short_of_descriptors);  // 32 < 100 sockets
    // 100 - 40 = 60 left: 1 worker (32) leaves 28; 2 workers would leave fewer than 8.
    plan = nswatch::plan_descriptors(n, 100);
    CHECK(plan.discovery_workers == 1);
    CHECK(plan.probe_sockets == 28);
    CHECK(plan.summary.find("16 probes in flight") != std::string::npos);
    CHECK(plan.summary.find(", 1 discovery workers;") != std::string::npos);
}

TEST_CASE("descriptor plan: a limit below the base still leaves one socket, and says so",
          "[cli][descriptors]") {
    nswatch::DescriptorNeeds n;
    n.addresses = 2;
    n.probe_sockets = 4;
    n.base = 40;
    const auto plan = nswatch::plan_descriptors(n, 20);
    CHECK(plan.short_of_descriptors);
    CHECK(plan.probe_sockets == 1);  // never 0: that would mean "no cap"
    CHECK_FALSE(plan.summary.empty());
}

TEST_CASE("descriptor needs: known addresses, transports and discovery from a config",
          "[cli][descriptors]") {
    nswatch::Config c;
    c.probe.tcp_every = 5;
    c.discovery.workers = 3;
    nswatch::ZoneConfig a;
    a.name = "a.test";
    nswatch::StaticNameserver ns1{"ns1.a.test", {"127.0.0.1", "::1"}, "", 53};
    nswatch::StaticNameserver ns2{"ns2.a.test", {"127.0.0.2"}, "", 5353};
    a.nameservers = {ns1, ns2};
    nswatch::ZoneConfig b = a;  // the same addresses: counted once
    b.name = "b.test";
    c.zones = {a, b};
    auto n = nswatch::descriptor_needs(c);
    CHECK(n.addresses == 3);
    CHECK(n.probe_sockets == 6);
    CHECK(n.discovery_workers == 0);  // nothing to discover
    nswatch::ZoneConfig discovered;
    discovered.name = "d.test";
    c.zones.push_back(discovered);
    c.probe.tcp_every = 0;
    n = nswatch::descriptor_needs(c);
    CHECK(n.probe_sockets == 3);
    CHECK(n.discovery_workers == 3);
    CHECK(n.per_discovery_worker == nswatch::kDescriptorsPerDiscovery);
    CHECK(n.base >= 16);
    // The web server may hold http.max_connections connections: they are budgeted.
    c.http.max_connections = 2000;
    CHECK(nswatch::descriptor_needs(c).base >= 2000 + 3);
    c.http.enabled = false;
    CHECK(nswatch::descriptor_needs(c).base < 100);
}
