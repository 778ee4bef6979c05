// cli/plugin_output: the monitoring-plugins first line of `nswatch check` (status, summary,
// performance data) and the -C RTT threshold.
#include "cli/plugin_output.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

ProbeResult answer(const std::string& address, Transport t, std::chrono::microseconds rtt) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.nameserver = "ns1.alpha.test";
    r.target.address = address;
    r.target.provider = "alpha";
    r.target.transport = t;
    r.outcome = Outcome::ok;
    r.rtt = rtt;
    return r;
}

ZoneView view() {
    ZoneView v;
    v.results = {answer("127.53.1.1", Transport::udp, 45us),
                 answer("127.53.1.1", Transport::tcp, 1500ms)};
    AddressSerialState a;
    a.target = v.results[0].target;
    a.state = SerialState::behind;
    a.serial = 7;
    a.behind_by = 2;
    v.round.addresses = {a};
    v.verdict.zone = "shop.test";
    v.verdict.summary = "shop.test: serial 9, 2/2 probes answered, 1 provider";
    return v;
}

}  // namespace

TEST_CASE("plugin line: status, summary, RTT and lag as performance data") {
    const std::vector<ZoneView> views{view()};
    const std::string line = plugin_line(views, PluginStatus::warning, 500ms, 1000ms);
    CHECK(line ==
          "NSWATCH WARNING - shop.test: serial 9, 2/2 probes answered, 1 provider | "
          "'shop.test 127.53.1.1 udp rtt'=4.5e-05s;0.5;1;0 "
          "'shop.test 127.53.1.1 tcp rtt'=1.5s;0.5;1;0 'shop.test 127.53.1.1 serial lag'=2;;;0");
    CHECK(perfdata_item("a'b=c", 1, "", "", "") == "'a\"b_c'=1;;;0");
}

TEST_CASE("check -C: an answer slower than the critical RTT makes the zone CRITICAL and says so") {
    std::vector<ZoneView> views{view()};
    views[0].verdict.status = PluginStatus::ok;
    apply_rtt_critical(views, 2000ms);
    CHECK(views[0].verdict.status == PluginStatus::ok);  // 1.5 s is under 2 s
    apply_rtt_critical(views, 1000ms);
    CHECK(views[0].verdict.status == PluginStatus::critical);
    REQUIRE(views[0].verdict.findings.size() == 1);
    CHECK(views[0].verdict.findings[0].text ==
          "ns1.alpha.test 127.53.1.1 tcp answered in 1500 ms (critical above 1000 ms)");
    CHECK(views[0].verdict.summary ==
          "shop.test: serial 9, 2/2 probes answered, 1 provider; ns1.alpha.test 127.53.1.1 tcp "
          "answered in 1500 ms (critical above 1000 ms)");
}
