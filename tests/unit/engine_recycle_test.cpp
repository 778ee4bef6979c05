// The engine reuses a finished probe's bookkeeping for the next one (prober/engine_impl.hpp,
// spare_pending): nothing of a probe may reach the next one that reuses it. Each probe here runs
// alone, so the next one takes the object the previous one left, against our server in mode `ok`.
#include <catch2/catch.hpp>
#include <vector>

#include "../tools/baddns_process.hpp"
#include "prober/engine.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

ProbeRequest soa_probe(uint16_t port) {
    ProbeRequest r;
    r.target.address = "127.0.0.1";
    r.target.port = port;
    r.target.provider = "alpha";
    r.query.name = "shop.test";
    r.timeout = 2000ms;
    return r;
}

ProbeResult run_one(ProbeEngine& engine, ProbeRequest request) {
    std::vector<ProbeResult> results;
    engine.submit(std::move(request), [&](ProbeResult& r) { results.push_back(std::move(r)); });
    engine.run_until_idle();
    REQUIRE(results.size() == 1);
    return results.front();
}

}  // namespace

TEST_CASE("engine: a probe inherits nothing from the probe before it", "[engine]") {
    test::BadDns server("ok");
    ProbeEngine engine;

    ProbeRequest digested = soa_probe(server.port());
    digested.digest_reply = true;
    const ProbeResult first = run_one(engine, digested);
    REQUIRE(first.outcome == Outcome::ok);
    REQUIRE(first.reply_digest != 0);
    CHECK_FALSE(first.answer.empty());

    // The same bytes again with their digest known: not parsed.
    ProbeRequest known = digested;
    known.known_reply = first.reply_digest;
    const ProbeResult same = run_one(engine, known);
    CHECK(same.same_reply);
    CHECK(same.answer.empty());
    CHECK(same.outcome == Outcome::ok);

    // A plain probe next: parsed whole, no digest, and its own target and question.
    ProbeRequest plain = soa_probe(server.port());
    plain.target.provider = "beta";
    plain.query.name = "shop.test";
    plain.query.type = 2;  // NS
    const ProbeResult after = run_one(engine, plain);
    CHECK_FALSE(after.same_reply);
    CHECK(after.reply_digest == 0);
    CHECK(after.target.provider == "beta");
    CHECK(after.query.name == "shop.test");
    CHECK(after.query.type == 2);
    CHECK(after.outcome == Outcome::ok);
    CHECK(after.rcode == 0);
    CHECK_FALSE(after.answer.empty());
    CHECK_FALSE(after.soa.has_value());  // an NS answer: nothing left of the SOA answers before

    // A probe that cannot be sent (the name is not one) reports that, and the one after it is
    // answered as usual.
    ProbeRequest invalid = soa_probe(server.port());
    invalid.query.name = std::string(300, 'a');
    const ProbeResult refused = run_one(engine, invalid);
    CHECK(refused.outcome != Outcome::ok);
    CHECK_FALSE(refused.detail.empty());
    const ProbeResult again = run_one(engine, soa_probe(server.port()));
    CHECK(again.outcome == Outcome::ok);
    CHECK(again.detail.empty());
    REQUIRE(again.soa.has_value());
}

TEST_CASE("engine: thousands of probes through reused bookkeeping are each answered once",
          "[engine]") {
    // 50 at a time: our one-threaded server's socket drops some of a larger burst (a few of 200,
    // half of 1,500, with or without reuse), and those would time out whatever the engine does.
    test::BadDns server("ok");
    ProbeEngine engine;
    engine.set_max_in_flight(50);
    for (int pass = 0; pass < 2; ++pass) {
        size_t ok = 0;
        size_t delivered = 0;
        for (int i = 0; i < 3000; ++i) {
            engine.submit(soa_probe(server.port()), [&](const ProbeResult& r) {
                ++delivered;
                if (r.outcome == Outcome::ok && r.soa) ++ok;
            });
        }
        engine.run_until_idle();
        CHECK(delivered == 3000);
        CHECK(ok == 3000);
    }
}
