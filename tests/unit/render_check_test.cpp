// cli/render_check: `check --json` is written a zone at a time, and is the very document
// check_json builds (the same bytes as its dump(2)), whatever the zones hold.
#include "cli/render_check.hpp"

#include <catch2/catch.hpp>
#include <sstream>

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

ProbeResult soa_result(const std::string& zone, const std::string& address, Transport t,
                       uint32_t serial) {
    ProbeResult r;
    r.target.zone = zone;
    r.target.nameserver = "ns1.alpha.test";
    r.target.address = address;
    r.target.provider = "alpha";
    r.target.transport = t;
    r.query.name = zone;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.aa = true;
    r.rtt = 123456ns;
    r.sent_wall = std::chrono::system_clock::time_point(1'700'000'000'123'456us);
    r.nsid = "ns1 \"quoted\"\nsecond line";  // escaped in a dump: never a raw newline
    r.soa = SoaFields{"ns1.alpha.test.", "admin.alpha.test.", serial, 60, 30, 600, 60, 300};
    return r;
}

ZoneView judged(ZoneConfig zone, std::vector<ProbeResult> results) {
    Config config;
    ZoneView v;
    v.delegation = static_delegation(config, zone);
    v.results = std::move(results);
    v.round = evaluate_serial_round(v.results);
    ZoneCheckInput in;
    in.zone = zone.name;
    in.providers = v.delegation.providers();
    in.results = v.results;
    in.round = v.round;
    v.verdict = judge_zone_check(in);
    return v;
}

std::vector<ZoneView> three_zones() {
    ZoneConfig shop;
    shop.name = "shop.test";
    shop.nameservers = {
        StaticNameserver{"ns1.alpha.test", {"192.0.2.1", "192.0.2.2"}, "alpha", 53}};
    std::vector<ZoneView> views;
    views.push_back(judged(shop, {soa_result("shop.test", "192.0.2.1", Transport::udp, 7),
                                  soa_result("shop.test", "192.0.2.2", Transport::udp, 6)}));
    ZoneConfig blog = shop;
    blog.name = "blog.test";
    ProbeResult lost = soa_result("blog.test", "192.0.2.1", Transport::tcp, 0);
    lost.outcome = Outcome::timeout;
    lost.rcode = -1;
    lost.soa.reset();
    lost.detail = "no reply within 2000 ms";
    views.push_back(judged(blog, {lost}));
    ZoneView gone;
    gone.delegation.zone = "gone.test";
    gone.delegation.error = "the parent says there is no such zone";
    gone.delegation.missing = {MissingReason::parent_nxdomain, "a.test-servers.test says NXDOMAIN"};
    gone.verdict.zone = "gone.test";
    gone.verdict.status = PluginStatus::critical;
    gone.verdict.summary = "delegation missing";
    gone.verdict.findings = {{PluginStatus::critical, "the parent says there is no such zone"}};
    views.push_back(gone);
    return views;
}

std::string written(const std::vector<ZoneView>& views, PluginStatus overall) {
    std::ostringstream out;
    write_check_json(out, views, overall);
    return out.str();
}

}  // namespace

TEST_CASE("check --json over more zones than one written block is still the whole document",
          "[render]") {
    std::vector<ZoneView> views;
    for (int i = 0; i < 100; ++i) {
        for (const auto& v : three_zones()) views.push_back(v);
    }
    const std::string text = written(views, PluginStatus::critical);
    CHECK(text.size() > 256 * 1024);  // several of the writer's 64 KiB blocks
    CHECK(text == check_json(views, PluginStatus::critical).dump(2) + "\n");
}

TEST_CASE("check --json written zone by zone is the document check_json builds", "[render]") {
    const auto views = three_zones();
    const std::string text = written(views, PluginStatus::critical);
    CHECK(text == check_json(views, PluginStatus::critical).dump(2) + "\n");

    const auto j = nlohmann::json::parse(text);
    CHECK(j["status"] == "CRITICAL");
    CHECK(j["exit_code"] == 2);
    REQUIRE(j["zones"].size() == 3);
    CHECK(j["zones"][0]["zone"] == "shop.test");
    REQUIRE(j["zones"][0]["probes"].size() == 2);
    CHECK(j["zones"][0]["probes"][0]["soa"]["serial"] == 7);
    CHECK(j["zones"][0]["probes"][1]["serial_state"] == "behind");
    CHECK(j["zones"][0]["probes"][0]["nsid"] == "ns1 \"quoted\"\nsecond line");
    CHECK(j["zones"][1]["probes"][0]["outcome"] == "timeout");
    CHECK(j["zones"][2]["delegation_missing"]["reason"] == "parent_nxdomain");
    CHECK(j["zones"][2]["findings"][0]["severity"] == "CRITICAL");
}

TEST_CASE("check --json of one zone and of none matches check_json too", "[render]") {
    auto views = three_zones();
    views.resize(1);
    CHECK(written(views, PluginStatus::warning) ==
          check_json(views, PluginStatus::warning).dump(2) + "\n");
    CHECK(written({}, PluginStatus::ok) == check_json({}, PluginStatus::ok).dump(2) + "\n");
}

TEST_CASE("a zone object reused for zones of other shapes is the object built fresh", "[render]") {
    // Every shape after every other: more and fewer probes, an SOA and none, a missing delegation
    // and none, extended errors and none, a TCP connect time and none, serial states and none.
    auto views = three_zones();
    ProbeResult busy = views[0].results[0];
    busy.extended_errors = {{18, "prohibited"}, {22, "no reachable authority"}};
    busy.connect_time = std::chrono::microseconds(250);
    views[1].results.push_back(busy);
    ZoneView unjudged = views[0];
    unjudged.round.addresses.clear();  // probes without serial_state and behind_by
    views.push_back(unjudged);
    nlohmann::json reused;
    for (const auto& first : views) {
        for (const auto& second : views) {
            fill_zone_check_json(reused, first);
            CHECK(reused == zone_check_json(first));
            fill_zone_check_json(reused, second);
            CHECK(reused == zone_check_json(second));
            CHECK(reused.dump(2) == zone_check_json(second).dump(2));
        }
    }
}

TEST_CASE("check --json from CheckJsonWriter, a zone at a time, is write_check_json's document",
          "[render]") {
    const auto three = three_zones();
    SECTION("three zones: the overall status is the worst zone's") {
        CheckJsonWriter w;
        for (const auto& v : three) w.add(v);
        CHECK(w.overall() == PluginStatus::critical);
        std::ostringstream out;
        w.write(out);
        CHECK(out.str() == written(three, PluginStatus::critical));
    }
    SECTION("no zone at all is OK") {
        CheckJsonWriter w;
        CHECK(w.overall() == PluginStatus::ok);
        std::ostringstream out;
        w.write(out);
        CHECK(out.str() == written({}, PluginStatus::ok));
    }
    SECTION("more text than one of its 2 MiB blocks") {
        std::vector<ZoneView> views;
        CheckJsonWriter w;
        for (int i = 0; i < 1000; ++i) {
            for (const auto& v : three) {
                views.push_back(v);
                w.add(v);
            }
        }
        std::ostringstream out;
        w.write(out);
        CHECK(out.str().size() > 2 * (size_t{2} << 20));
        CHECK(out.str() == written(views, PluginStatus::critical));
    }
}
