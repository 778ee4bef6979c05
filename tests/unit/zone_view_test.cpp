// monitor/zone_view: what the monitor keeps of a delegation still asks every address the same.
#include "monitor/zone_view.hpp"

#include <catch2/catch.hpp>
#include <map>

using namespace nswatch;

namespace {

bool same_requests(const std::vector<ProbeRequest>& a, const std::vector<ProbeRequest>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (!(a[i].target == b[i].target) || !(a[i].query == b[i].query) ||
            a[i].timeout != b[i].timeout) {
            return false;
        }
    }
    return true;
}

}  // namespace

TEST_CASE("probing_part keeps what the probe requests are built from, and nothing else") {
    Config config;
    config.probe.ipv6 = true;
    ZoneConfig zone;
    zone.name = "shop.test";
    zone.nameservers = {
        StaticNameserver{"ns1.alpha.test", {"192.0.2.1", "2001:db8::1"}, "alpha", 53},
        StaticNameserver{"ns1.beta.test", {"192.0.2.2"}, "", 5353}};
    zone.watch = {WatchName{"@", {1, 28}}, WatchName{"www", {1}}};
    Delegation full = static_delegation(config, zone);
    full.notes.push_back("a note");
    full.child_ns_answers.resize(3);
    const Delegation kept = probing_part(full);

    CHECK(kept.zone == "shop.test");
    CHECK(kept.parent_ns.empty());
    CHECK(kept.child_ns.empty());
    CHECK(kept.notes.empty());
    CHECK(kept.child_ns_answers.empty());
    REQUIRE(kept.nameservers.size() == 2);
    CHECK(kept.nameservers[0].provider_how.empty());
    CHECK(kept.nameservers[1].port == 5353);
    CHECK(same_requests(soa_requests(kept, config, RoundOptions{}),
                        soa_requests(full, config, RoundOptions{})));
    CHECK(same_requests(watch_requests(kept, zone, config), watch_requests(full, zone, config)));
    CHECK(soa_requests(kept, config, RoundOptions{}).size() == 6);  // 3 addresses x UDP, TCP
}

TEST_CASE("watch_requests: with DO set the apex key sets are compared too, each asked once") {
    Config config;
    config.probe.ipv6 = false;
    ZoneConfig zone;
    zone.name = "shop.test";
    zone.nameservers = {StaticNameserver{"ns1.alpha.test", {"192.0.2.1"}, "alpha", 53},
                        StaticNameserver{"ns1.beta.test", {"192.0.2.2"}, "beta", 53}};
    zone.watch = {WatchName{"@", {1, 48}}, WatchName{"www", {1}}};
    const Delegation d = static_delegation(config, zone);
    auto asked = [&] {
        std::map<std::pair<std::string, uint16_t>, int> n;
        for (const auto& r : watch_requests(d, zone, config)) ++n[{r.query.name, r.query.type}];
        return n;
    };
    // Without DO: only what the config watches, on both addresses.
    CHECK(asked() == std::map<std::pair<std::string, uint16_t>, int>{
                         {{"shop.test", 1}, 2}, {{"shop.test", 48}, 2}, {{"www.shop.test", 1}, 2}});
    // With DO: DNSKEY (already watched: not twice), CDS and CDNSKEY at the apex.
    config.probe.dnssec_ok = true;
    CHECK(asked() == std::map<std::pair<std::string, uint16_t>, int>{{{"shop.test", 1}, 2},
                                                                     {{"shop.test", 48}, 2},
                                                                     {{"shop.test", 59}, 2},
                                                                     {{"shop.test", 60}, 2},
                                                                     {{"www.shop.test", 1}, 2}});
}
