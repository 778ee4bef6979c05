// The reference check end to end on real sockets: our misbehaving server (tests/tools/baddns)
// serves the zone from a file, as five providers — one right, one with a stale record, one
// dropping a TXT string, one failing a single name, one answering NOERROR for a missing name —
// and each fault is named exactly (provider, record, both values) and nothing else; a fixed
// provider's drift ends at its next right answer. Also the alert conditions and status rows, and
// a signed zone's denials judged with each provider's own DNSKEY set (answers fed in directly:
// baddns serves no DNSSEC; the lab's multisigner test runs it against BIND and NSD).
#include "zonediff/reference_checker.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <optional>

#include "../tools/baddns_process.hpp"
#include "alerts/zone_drift_rule.hpp"
#include "dns/rr_types.hpp"
#include "test_signer.hpp"
#include "zonediff/reference_json.hpp"

using namespace nswatch;
using namespace std::chrono_literals;
using test::BadDns;
using test::Watchdog;

namespace {

const char* kReference = R"($TTL 300
@    IN SOA ns1.shop.test. hostmaster.shop.test. 2026120601 7200 3600 1209600 300
@    IN NS  ns1.shop.test.
ns1  IN A   127.0.0.1
www  IN A   192.0.2.80
api  IN A   192.0.2.90
txt  IN TXT "v=spf1 " "-all"
a.deep IN AAAA 2001:db8::1
alias IN CNAME www.shop.test.
)";

struct ZoneFile {
    std::string path;
    explicit ZoneFile(const std::string& text) {
        char name[] = "/tmp/nswatch-reference-zone-XXXXXX";
        close(mkstemp(name));
        path = name;
        std::ofstream(path) << text;
    }
    ~ZoneFile() { unlink(path.c_str()); }
};

std::string stale_copy() {
    std::string s = kReference;
    s.replace(s.find("192.0.2.80"), 10, "192.0.2.81");
    return s;
}

/// The reference zone file `reference`, loaded into `checker` for shop.test at a 1 min interval.
void load_reference(ReferenceChecker& checker, const ZoneFile& reference,
                    const ReferenceSettings& settings) {
    checker.set_reference(
        "shop.test",
        std::make_shared<const ReferenceZone>(read_reference_file("shop.test", reference.path)),
        settings, 1min, reference.path);
}

/// A provider of shop.test at `address` (for rounds whose answers the test hands in itself).
Target shop_target(const std::string& provider, const std::string& address) {
    Target t;
    t.zone = "shop.test";
    t.provider = provider;
    t.address = address;
    return t;
}

Target target(const std::string& provider, const BadDns& server) {
    Target t;
    t.zone = "shop.test";
    t.nameserver = "ns1." + provider + ".test";
    t.address = "127.0.0.1";
    t.port = server.port();
    t.provider = provider;
    t.vantage = "default";
    return t;
}

void run_round(ReferenceChecker& checker, ProbeEngine& engine, const std::vector<Target>& targets) {
    ProbeSettings probe;
    probe.timeout = 2s;
    auto requests = checker.start_round("shop.test", targets, probe);
    REQUIRE_FALSE(requests.empty());
    Watchdog watchdog("a reference round", 20s);
    for (size_t i = 0; i < requests.size(); ++i) {
        engine.submit(std::move(requests[i]),
                      [&checker, i](const ProbeResult& r) { checker.absorb("shop.test", i, r); });
    }
    engine.run_until_idle();
}

/// provider -> record -> "reference X, served Y" of every standing drift.
std::map<std::string, std::map<std::string, std::string>> drifts(const ReferenceChecker& c) {
    std::map<std::string, std::map<std::string, std::string>> out;
    for (const auto& z : c.results()) {
        for (const auto& p : z.providers) {
            for (const auto& [key, d] : p.drifts) {
                out[p.provider][key] = "reference " + d.expected + ", served " + d.served;
            }
        }
    }
    return out;
}

}  // namespace

TEST_CASE("reference check: each faulty provider named exactly, nothing else", "[reference]") {
    ZoneFile reference(kReference);
    ZoneFile stale(stale_copy());
    const std::vector<std::string> serve = {"--zone-file", reference.path};
    BadDns good("ok", "shop.test", serve);
    BadDns stale_server("ok", "shop.test", {"--zone-file", stale.path});
    BadDns drop_txt("drop-txt-string", "shop.test", serve);
    BadDns servfail("servfail-name", "shop.test",
                    {"--zone-file", reference.path, "--fault-name", "api.shop.test."});
    BadDns noerror("noerror-nx", "shop.test", serve);

    ReferenceSettings settings;
    settings.file = reference.path;
    settings.every = 1min;  // with a 1 min interval: every RRset in each round
    settings.negative_per_round = 2;
    ReferenceChecker checker;
    load_reference(checker, reference, settings);
    std::vector<Target> targets = {target("alpha", good), target("beta", stale_server),
                                   target("gamma", drop_txt), target("delta", servfail),
                                   target("epsilon", noerror)};
    ProbeEngine engine;
    // Two rounds: both kinds of negative question have been asked of everyone.
    run_round(checker, engine, targets);
    run_round(checker, engine, targets);

    const auto d = drifts(checker);
    CHECK(d.size() == 4);
    CHECK(d.count("alpha") == 0);
    CHECK(d.at("beta") == std::map<std::string, std::string>{
                              {"www.shop.test. A", "reference 192.0.2.80, served 192.0.2.81"}});
    CHECK(d.at("gamma") ==
          std::map<std::string, std::string>{
              {"txt.shop.test. TXT", "reference \"v=spf1 -all\", served \"v=spf1 \""}});
    CHECK(d.at("delta") == std::map<std::string, std::string>{
                               {"api.shop.test. A", "reference 192.0.2.90, served SERVFAIL"}});
    CHECK(d.at("epsilon") ==
          std::map<std::string, std::string>{
              {"made-up name", "reference NXDOMAIN, served NOERROR, no records (NODATA)"}});

    const auto results = checker.results();
    REQUIRE(results.size() == 1);
    CHECK(results[0].rrsets == 8);  // SOA NS ns1 www api txt a.deep alias
    for (const auto& p : results[0].providers) CHECK(p.checked == 2 * (8 + 2));

    // The alerts: one per drift, naming provider, record and both values.
    AlertSettings alerts;
    const auto conditions = zone_drift_conditions(results, alerts);
    REQUIRE(conditions.size() == 4);
    std::map<std::string, std::string> summaries;
    for (const auto& c : conditions) {
        CHECK(c.rule == "zone_drift");
        summaries[c.labels.at("provider")] = c.summary;
    }
    CHECK(summaries.at("beta") ==
          "shop.test: [beta] www.shop.test. A: reference 192.0.2.80, served 192.0.2.81 (address "
          "127.0.0.1)");
    CHECK_THAT(summaries.at("epsilon"),
               Catch::StartsWith("shop.test: [epsilon] nswatch-nx-") &&
                   Catch::Contains(": reference NXDOMAIN, served NOERROR, no records (NODATA)"));
    alerts.zone_rules["shop.test"]["zone_drift"].enabled = false;
    CHECK(zone_drift_conditions(results, alerts).empty());

    // Status rows and lines.
    const auto rows = zone_drift_json(results);
    CHECK(rows.size() == 4);
    CHECK_THAT(zone_drift_text(rows),
               Catch::Contains("zone_drift shop.test: [delta] api.shop.test. A: reference "
                               "192.0.2.90, served SERVFAIL (127.0.0.1)\n"));

    // beta is fixed (its server now serves the reference): its drift ends at the next round.
    BadDns fixed("ok", "shop.test", serve);
    targets[1] = target("beta", fixed);
    run_round(checker, engine, targets);
    const auto after = drifts(checker);
    CHECK(after.count("beta") == 0);
    CHECK(after.size() == 3);
}

TEST_CASE("reference check: a silent provider keeps its verdicts", "[reference]") {
    ZoneFile stale(stale_copy());
    ZoneFile reference(kReference);
    BadDns stale_server("ok", "shop.test", {"--zone-file", stale.path});
    ReferenceSettings settings;
    settings.every = 1min;
    ReferenceChecker checker;
    load_reference(checker, reference, settings);
    ProbeEngine engine;
    run_round(checker, engine, {target("beta", stale_server)});
    REQUIRE(drifts(checker).at("beta").count("www.shop.test. A") == 1);
    // Now it does not answer at all: a timeout is no evidence that the record was fixed.
    BadDns silent("silent");
    Target t = target("beta", silent);
    ProbeSettings probe;
    probe.timeout = 300ms;
    auto requests = checker.start_round("shop.test", {t}, probe);
    for (size_t i = 0; i < requests.size(); ++i) {
        engine.submit(std::move(requests[i]),
                      [&checker, i](const ProbeResult& r) { checker.absorb("shop.test", i, r); });
    }
    engine.run_until_idle();
    CHECK(drifts(checker).at("beta").count("www.shop.test. A") == 1);
}

TEST_CASE("reference check: a provider missing from a round keeps its drifts", "[reference]") {
    ZoneFile stale(stale_copy());
    ZoneFile reference(kReference);
    BadDns stale_server("ok", "shop.test", {"--zone-file", stale.path});
    BadDns good("ok", "shop.test", {"--zone-file", reference.path});
    ReferenceSettings settings;
    settings.every = 1min;
    ReferenceChecker checker;
    load_reference(checker, reference, settings);
    ProbeEngine engine;
    run_round(checker, engine, {target("beta", stale_server), target("alpha", good)});
    for (uint32_t i = 1; i < kForgetProviderAfter; ++i) {
        run_round(checker, engine, {target("alpha", good)});
        REQUIRE(drifts(checker).at("beta").count("www.shop.test. A") == 1);
    }
    run_round(checker, engine, {target("alpha", good)});
    CHECK(drifts(checker).empty());
    CHECK(checker.results()[0].providers.size() == 1);
}

TEST_CASE("reference check: a standing drift is asked again every round, not once per slice",
          "[reference]") {
    ZoneFile stale(stale_copy());
    ZoneFile reference(kReference);
    BadDns stale_server("ok", "shop.test", {"--zone-file", stale.path});
    ReferenceSettings settings;
    settings.every = 8min;  // with a 1 min interval: one RRset per round
    settings.negative_per_round = 0;
    ReferenceChecker checker;
    load_reference(checker, reference, settings);
    REQUIRE(checker.results()[0].per_round == 1);
    ProbeEngine engine;
    int rounds = 0;
    while (drifts(checker).empty() && rounds < 8) {
        run_round(checker, engine, {target("beta", stale_server)});
        ++rounds;
    }
    REQUIRE(drifts(checker).at("beta").count("www.shop.test. A") == 1);
    // Still wrong: the next rounds (other slices) keep asking it, and it stands.
    run_round(checker, engine, {target("beta", stale_server)});
    CHECK(drifts(checker).at("beta").count("www.shop.test. A") == 1);
    // Fixed: the very next round ends it, whatever its slice.
    BadDns fixed("ok", "shop.test", {"--zone-file", reference.path});
    run_round(checker, engine, {target("beta", fixed)});
    CHECK(drifts(checker).empty());
}

TEST_CASE("reference check: without a usable reference nothing is asked, the drifts stand",
          "[reference]") {
    ZoneFile stale(stale_copy());
    ZoneFile reference(kReference);
    BadDns stale_server("ok", "shop.test", {"--zone-file", stale.path});
    ReferenceSettings settings;
    settings.every = 1min;
    ReferenceChecker checker;
    load_reference(checker, reference, settings);
    ProbeEngine engine;
    run_round(checker, engine, {target("beta", stale_server)});
    REQUIRE(drifts(checker).at("beta").count("www.shop.test. A") == 1);
    // The primary's serial moved and its transfer failed: the copy held is outdated, so an
    // up-to-date provider would be blamed for it. Nothing is asked until a reference is set.
    checker.set_error("shop.test", "AXFR refused", "primary 127.0.0.1");
    ProbeSettings probe;
    CHECK(checker.start_round("shop.test", {target("beta", stale_server)}, probe).empty());
    CHECK(drifts(checker).at("beta").count("www.shop.test. A") == 1);
    CHECK(checker.results()[0].error == "AXFR refused");
    checker.set_reference(
        "shop.test",
        std::make_shared<const ReferenceZone>(read_reference_file("shop.test", stale.path)),
        settings, 1min, stale.path);
    run_round(checker, engine, {target("beta", stale_server)});
    CHECK(drifts(checker).empty());
}

TEST_CASE("reference check: positive questions skip the extra sections, negative ones keep them",
          "[reference]") {
    // A positive answer is judged on its answer section; a negative one needs the authority
    // section (the zone's SOA, NSEC/NSEC3), which the engine drops from an ok (NODATA) reply
    // unless asked to keep it.
    ZoneFile reference(kReference);
    ReferenceSettings settings;
    settings.every = 1min;  // the whole zone every round
    settings.negative_per_round = 4;
    ReferenceChecker checker;
    const auto ref =
        std::make_shared<const ReferenceZone>(read_reference_file("shop.test", reference.path));
    checker.set_reference("shop.test", ref, settings, 1min, reference.path);
    Target t;
    t.zone = "shop.test";
    t.provider = "alpha";
    t.address = "127.0.0.1";
    const auto requests = checker.start_round("shop.test", {t}, ProbeSettings{});
    REQUIRE(requests.size() == ref->rrset_count() + 4);
    for (size_t i = 0; i < requests.size(); ++i) {
        const auto expected = ref->expect(requests[i].query.name, requests[i].query.type);
        REQUIRE(expected);
        // The slice's RRsets come first; a negative question may still expect records (an
        // absent type at a CNAME's name is answered with the CNAME).
        const bool answer = expected->kind == Expectation::Kind::answer;
        if (i < ref->rrset_count()) CHECK(answer);
        CHECK(requests[i].ok_extra_sections == !answer);
    }
}

namespace {

// A signed zone's negative answers, fed to the checker as the engine would hand them over: the
// signatures over their NSEC records are verified with the DNSKEY set the same provider serves in
// the same round, whichever of the answers comes first.
struct SignedZone {
    std::chrono::system_clock::time_point t0 =
        std::chrono::system_clock::time_point{} + 1800000000s;
    test::TestSigner zsk{"shop.test.", 256, t0 - 24h, t0 + 240h};
    Record soa{"shop.test.", kTypeSoa, 300,
               "ns1.shop.test. hostmaster.shop.test. 2026120601 7200 3600 1209600 300"};
    Record nsec_apex{"shop.test.", kTypeNsec, 300, "www.shop.test. NS SOA RRSIG NSEC DNSKEY"};
    Record nsec_www{"www.shop.test.", kTypeNsec, 300, "shop.test. A RRSIG NSEC"};

    std::shared_ptr<const ReferenceZone> reference() const {
        return std::make_shared<const ReferenceZone>(
            "shop.test", std::vector<Record>{soa,
                                             {"shop.test.", kTypeNs, 300, "ns1.shop.test."},
                                             zsk.dnskey(),
                                             {"www.shop.test.", kTypeA, 300, "192.0.2.80"}});
    }
    ProbeResult answer(const ProbeRequest& r, bool sign_nsec) const {
        ProbeResult res;
        res.target = r.target;
        res.query = r.query;
        res.sent_wall = t0;
        res.outcome = Outcome::ok;
        if (r.query.type == kTypeDnskey) {
            res.answer = {zsk.dnskey(), zsk.sign({zsk.dnskey()})};
            return res;
        }
        if (r.query.name.rfind("nswatch-nx-", 0) == 0) {
            res.rcode = 3;
            res.outcome = Outcome::nxdomain;
        }
        res.authority = {soa, zsk.sign({soa}), nsec_apex, nsec_www};
        if (sign_nsec) {
            res.authority.push_back(zsk.sign({nsec_apex}));
            res.authority.push_back(zsk.sign({nsec_www}));
        }
        return res;
    }
};

/// The tickets of the round's DNSKEY question (the provider's first request) and of its
/// negative questions (a made-up name, or a type absent at shop.test. or www.shop.test.).
struct RoundTickets {
    std::optional<size_t> keys;
    std::vector<size_t> negative;
};

RoundTickets tickets_of(const std::vector<ProbeRequest>& requests) {
    RoundTickets t;
    if (!requests.empty() && requests[0].query.type == kTypeDnskey &&
        requests[0].query.name == "shop.test.") {
        t.keys = 0;
    }
    for (size_t i = 1; i < requests.size(); ++i) {
        const auto& q = requests[i].query;
        const bool present = q.name == "www.shop.test."
                                 ? q.type == kTypeA
                                 : q.type == kTypeSoa || q.type == kTypeNs || q.type == kTypeDnskey;
        if (q.name.rfind("nswatch-nx-", 0) == 0 || !present) t.negative.push_back(i);
    }
    return t;
}

}  // namespace

TEST_CASE("reference check: denial signatures judged with the provider's own DNSKEY set",
          "[reference]") {
    const SignedZone zone;
    ReferenceSettings settings;
    settings.every = 1min;
    settings.negative_per_round = 2;
    ReferenceChecker checker;
    checker.set_reference("shop.test", zone.reference(), settings, 1min, "test");
    const Target beta = shop_target("beta", "127.53.2.1");
    ProbeSettings probe;
    auto provider = [&] { return checker.results().at(0).providers.at(0); };

    // Round 1: the negative answers come before the keys; they are judged once the keys are in.
    auto requests = checker.start_round("shop.test", {beta}, probe);
    for (const auto& r : requests) CHECK(r.query.dnssec_ok);
    auto t = tickets_of(requests);
    REQUIRE(t.keys);
    REQUIRE(t.negative.size() == 2);
    for (size_t i : t.negative) checker.absorb("shop.test", i, zone.answer(requests[i], true));
    CHECK(provider().checked == 0);
    checker.absorb("shop.test", *t.keys, zone.answer(requests[*t.keys], true));
    CHECK(provider().checked == 2);  // the DNSKEY question itself is not a reference verdict
    CHECK(provider().drifts.empty());

    // Round 2: keys first, then NSEC records without RRSIGs: each negative question drifts.
    requests = checker.start_round("shop.test", {beta}, probe);
    t = tickets_of(requests);
    REQUIRE(t.keys);
    checker.absorb("shop.test", *t.keys, zone.answer(requests[*t.keys], true));
    for (size_t i : t.negative) checker.absorb("shop.test", i, zone.answer(requests[i], false));
    auto drifts = provider().drifts;
    REQUIRE(drifts.size() == 2);
    for (const auto& [key, d] : drifts) {
        INFO(key);
        CHECK(d.kind == DriftKind::denial_signature);
        CHECK_THAT(d.served, Catch::Contains(", no RRSIG over NSEC shop.test. (and 1 more)"));
    }

    // Round 3: the DNSKEY question times out: the denials stay unjudged, the drifts stand.
    requests = checker.start_round("shop.test", {beta}, probe);
    t = tickets_of(requests);
    REQUIRE(t.keys);
    const uint64_t checked = provider().checked;
    for (size_t i : t.negative) checker.absorb("shop.test", i, zone.answer(requests[i], true));
    ProbeResult timeout = zone.answer(requests[*t.keys], true);
    timeout.outcome = Outcome::timeout;
    timeout.answer.clear();
    checker.absorb("shop.test", *t.keys, timeout);
    CHECK(provider().checked == checked);
    CHECK(provider().drifts.size() == 2);

    // Round 4: a truncated DNSKEY reply is followed by its TCP retry, whose keys are used.
    requests = checker.start_round("shop.test", {beta}, probe);
    t = tickets_of(requests);
    REQUIRE(t.keys);
    ProbeResult truncated = zone.answer(requests[*t.keys], true);
    truncated.outcome = Outcome::truncated;
    truncated.answer.clear();
    checker.absorb("shop.test", *t.keys, truncated);
    for (size_t i : t.negative) checker.absorb("shop.test", i, zone.answer(requests[i], true));
    CHECK(provider().checked == checked);
    checker.absorb("shop.test", *t.keys, zone.answer(requests[*t.keys], true));
    CHECK(provider().checked == checked + 2);
    // Both negative questions were answered right with signed NSEC records: their drifts end.
    CHECK(provider().drifts.empty());
}

TEST_CASE("reference check: an unsigned zone asks no DNSKEY and judges no signatures",
          "[reference]") {
    ZoneFile reference(kReference);
    ReferenceSettings settings;
    settings.every = 1min;
    ReferenceChecker checker;
    load_reference(checker, reference, settings);
    const Target beta = shop_target("beta", "127.53.2.1");
    const auto requests = checker.start_round("shop.test", {beta}, ProbeSettings{});
    REQUIRE_FALSE(requests.empty());
    for (const auto& r : requests) {
        CHECK(r.query.type != kTypeDnskey);
        CHECK_FALSE(r.query.dnssec_ok);
    }
}

TEST_CASE("reference check: an answer the same as one judged right is not parsed again",
          "[reference]") {
    // The digest of each right answer is kept per provider and RRset; the next time that RRset is
    // asked, a reply with the same octets (after its ID) is right again without being parsed. A
    // different reply is judged in full, and a wrong one is never remembered.
    ZoneFile reference(kReference);
    ZoneFile stale(stale_copy());
    const std::vector<std::string> serve = {"--zone-file", reference.path};
    BadDns good("ok", "shop.test", serve);
    BadDns stale_server("ok", "shop.test", {"--zone-file", stale.path});
    ReferenceSettings settings;
    settings.every = 1min;  // every RRset each round
    settings.negative_per_round = 2;
    ReferenceChecker checker;
    load_reference(checker, reference, settings);
    ProbeEngine engine;
    ProbeSettings probe;
    probe.timeout = 2s;

    // One round to `server` as provider beta: how many questions asked for a digest (the slice's
    // positive questions), how many carried a known one, and how many results were the same reply.
    struct Tally {
        size_t positive = 0;
        size_t known = 0;
        size_t same = 0;
        size_t negative_digested = 0;
    };
    auto round = [&](const BadDns& server) {
        Tally t;
        auto requests = checker.start_round("shop.test", {target("beta", server)}, probe);
        Watchdog watchdog("a reference round", 20s);
        for (size_t i = 0; i < requests.size(); ++i) {
            if (!requests[i].digest_reply) continue;  // a negative question or a re-ask
            ++t.positive;
            if (requests[i].known_reply != 0) ++t.known;
            engine.submit(std::move(requests[i]), [&, i](const ProbeResult& r) {
                if (r.same_reply) {
                    ++t.same;
                    CHECK(r.answer.empty());  // not parsed
                    CHECK(r.outcome == Outcome::ok);
                }
                checker.absorb("shop.test", i, r);
            });
        }
        // The negative questions (other names every round) are never digested.
        for (size_t i = 0; i < requests.size(); ++i) {
            if (requests[i].digest_reply) continue;
            if (requests[i].known_reply != 0) ++t.negative_digested;
            engine.submit(std::move(requests[i]), [&, i](const ProbeResult& r) {
                CHECK_FALSE(r.same_reply);
                checker.absorb("shop.test", i, r);
            });
        }
        engine.run_until_idle();
        return t;
    };

    const Tally first = round(good);
    CHECK(first.positive == 8);
    CHECK(first.known == 0);
    CHECK(first.same == 0);
    CHECK(checker.unchanged_answers() == 0);
    CHECK(drifts(checker).empty());

    const Tally second = round(good);
    CHECK(second.known == 8);
    CHECK(second.same == 8);
    CHECK(second.negative_digested == 0);
    CHECK(checker.unchanged_answers() == 8);  // counted once each, for the round's debug line
    CHECK(drifts(checker).empty());
    CHECK(checker.results()[0].providers.at(0).checked == 2 * (8 + 2));

    // beta now serves the stale copy: its www answer differs from the one remembered, is judged
    // in full and named; the other seven are the same octets as before.
    const Tally stale_round = round(stale_server);
    CHECK(stale_round.same == 7);
    CHECK(checker.unchanged_answers() == 8 + 7);
    CHECK(drifts(checker).at("beta") ==
          std::map<std::string, std::string>{
              {"www.shop.test. A", "reference 192.0.2.80, served 192.0.2.81"}});
    // The wrong answer is not remembered: asked again it is judged again, and stays named.
    const Tally still_stale = round(stale_server);
    CHECK(still_stale.same == 7);
    CHECK(drifts(checker).at("beta").size() == 1);
    // Fixed: judged in full (its digest was forgotten with the drift), right, the drift ends.
    round(good);
    CHECK(drifts(checker).empty());
    CHECK(round(good).same == 8);

    // A new reference forgets every digest: answers right by the old one are judged again.
    load_reference(checker, reference, settings);
    const Tally reloaded = round(good);
    CHECK(reloaded.known == 0);
    CHECK(reloaded.same == 0);
}

TEST_CASE("reference check: an answer that came over TCP after TC is recognised the same way",
          "[reference]") {
    // A truncated UDP reply is asked again over TCP: the digest kept is the TCP answer's, and the
    // retry of the next round carries it.
    ZoneFile reference(kReference);
    BadDns truncating("tc-always", "shop.test", {"--zone-file", reference.path});
    ReferenceSettings settings;
    settings.every = 1min;
    settings.negative_per_round = 0;
    ReferenceChecker checker;
    load_reference(checker, reference, settings);
    ProbeEngine engine;
    ProbeSettings probe;
    probe.timeout = 2s;
    auto round = [&] {
        size_t same_over_tcp = 0;
        size_t tcp = 0;
        auto requests = checker.start_round("shop.test", {target("beta", truncating)}, probe);
        Watchdog watchdog("a reference round", 20s);
        for (size_t i = 0; i < requests.size(); ++i) {
            engine.submit(std::move(requests[i]), [&, i](const ProbeResult& r) {
                if (r.target.transport == Transport::tcp) {
                    ++tcp;
                    if (r.same_reply) ++same_over_tcp;
                }
                checker.absorb("shop.test", i, r);
            });
        }
        engine.run_until_idle();
        return std::pair{tcp, same_over_tcp};
    };
    CHECK(round() == std::pair<size_t, size_t>{8, 0});
    CHECK(round() == std::pair<size_t, size_t>{8, 8});
    CHECK(drifts(checker).empty());
    CHECK(checker.results()[0].providers.at(0).checked == 16);
}
