// After a change on the primary, the secondaries follow by NOTIFY + IXFR, and our probes see it.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "lab_env.hpp"
#include "monitor/serial_round.hpp"
#include "prober/engine.hpp"

using namespace nswatch;

namespace {
std::vector<ProbeRequest> soa_to_all() {
    std::vector<ProbeRequest> out;
    for (const auto& ns : lab::kNameServers) {
        for (auto addr : {ns.v4, ns.v6}) {
            ProbeRequest r;
            r.target.zone = "shop.test";
            r.target.nameserver = std::string(ns.name);
            r.target.address = std::string(addr);
            r.target.family =
                addr.find(':') == std::string_view::npos ? Family::ipv4 : Family::ipv6;
            r.target.provider = std::string(ns.provider);
            r.query.name = "shop.test";
            r.query.type = 6;
            r.timeout = std::chrono::milliseconds(800);
            out.push_back(r);
        }
    }
    return out;
}
}  // namespace

TEST_CASE(
    "a change on the BIND primary reaches NSD and Knot, and every probe sees the new serial") {
    const uint32_t old_serial = lab::wait_sync(20);
    const uint32_t new_serial = lab::bump();
    CHECK(new_serial != old_serial);

    ProbeEngine engine;
    SerialRound round;
    const auto start = std::chrono::steady_clock::now();
    for (int attempt = 0; attempt < 100; ++attempt) {
        round = evaluate_serial_round(engine.run_batch(soa_to_all()));
        if (round.newest == new_serial && lagging_providers(round).empty()) {
            bool all_current = true;
            for (const auto& a : round.addresses) all_current &= a.state == SerialState::current;
            if (all_current) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const auto took = std::chrono::steady_clock::now() - start;
    INFO("propagation took " << std::chrono::duration<double>(took).count() << " s");
    REQUIRE(round.newest == new_serial);
    for (const auto& a : round.addresses) {
        INFO(a.target.nameserver << " " << a.target.address);
        CHECK(a.state == SerialState::current);
        CHECK(a.serial == new_serial);
    }
    CHECK(took < std::chrono::seconds(10));
}

TEST_CASE("the secondaries got the change by IXFR, not AXFR") {
    lab::bump();
    lab::wait_sync(20);
    // Knot logs the transfer type; BIND (the primary) logs each outgoing transfer's type too.
    auto read = [](const std::string& name) {
        std::ifstream f(lab::lab_dir() + "/logs/" + name + ".log");
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    };
    CHECK_THAT(read("gamma"), Catch::Contains("IXFR"));
    CHECK_THAT(read("alpha"), Catch::Contains("IXFR"));
}
