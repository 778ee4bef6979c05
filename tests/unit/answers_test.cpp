// compare_answers: order ignored, TTLs reported apart, the differing record named.
#include "monitor/answers.hpp"

#include <catch2/catch.hpp>

#include "monitor/keysets.hpp"

using namespace nswatch;

namespace {
ProbeResult answer(const std::string& provider, const std::string& addr,
                   std::vector<std::pair<std::string, uint32_t>> a_records,
                   Outcome o = Outcome::ok) {
    ProbeResult r;
    r.target.provider = provider;
    r.target.nameserver = "ns." + provider;
    r.target.address = addr;
    r.query.name = "www.shop.test";
    r.query.type = 1;
    r.outcome = o;
    r.rcode = o == Outcome::ok ? 0 : -1;
    for (const auto& [ip, ttl] : a_records)
        r.answer.push_back(Record{"www.shop.test.", 1, ttl, ip});
    return r;
}
}  // namespace

TEST_CASE("answers: the same records in another order are consistent") {
    auto c =
        compare_answers({answer("alpha", "10.0.0.1", {{"192.0.2.1", 300}, {"192.0.2.2", 300}}),
                         answer("beta", "10.0.0.2", {{"192.0.2.2", 300}, {"192.0.2.1", 300}})});
    REQUIRE(c.size() == 1);
    CHECK(c[0].consistent);
    CHECK_FALSE(c[0].ttl_differs);
    CHECK(describe_differences(c).empty());
}

TEST_CASE("answers: a record served by one provider only is named") {
    auto c =
        compare_answers({answer("alpha", "10.0.0.1", {{"192.0.2.1", 300}}),
                         answer("alpha", "10.0.0.3", {{"192.0.2.1", 300}}),
                         answer("beta", "10.0.0.2", {{"192.0.2.1", 300}, {"192.0.2.99", 300}})});
    REQUIRE(c.size() == 1);
    CHECK_FALSE(c[0].consistent);
    REQUIRE(c[0].variants.size() == 2);
    CHECK(c[0].variants[0].providers == std::vector<std::string>{"alpha"});  // most common first
    CHECK(c[0].differing == std::vector<std::string>{"www.shop.test. A 192.0.2.99"});
    const auto d = describe_differences(c);
    REQUIRE(d.size() == 1);
    CHECK_THAT(d[0], Catch::Contains("[beta]") && Catch::Contains("192.0.2.99"));
}

TEST_CASE("answers: TTL differences are reported apart, not as a different answer") {
    auto c = compare_answers({answer("alpha", "10.0.0.1", {{"192.0.2.1", 300}}),
                              answer("beta", "10.0.0.2", {{"192.0.2.1", 3600}})});
    REQUIRE(c.size() == 1);
    CHECK(c[0].consistent);
    CHECK(c[0].ttl_differs);
    REQUIRE(c[0].ttl_notes.size() == 1);
    CHECK_THAT(c[0].ttl_notes[0],
               Catch::Contains("300 at alpha") && Catch::Contains("3600 at beta"));
}

TEST_CASE("answers: timeouts are counted, not compared") {
    auto c = compare_answers({answer("alpha", "10.0.0.1", {{"192.0.2.1", 300}}),
                              answer("beta", "10.0.0.2", {}, Outcome::timeout)});
    REQUIRE(c.size() == 1);
    CHECK(c[0].consistent);
    CHECK(c[0].unanswered == 1);
}

TEST_CASE("answers: kept answers expand to the comparisons without servers and notes") {
    auto c = compare_answers({answer("alpha", "10.0.0.1", {{"192.0.2.1", 300}, {"192.0.2.2", 300}}),
                              answer("beta", "10.0.0.2", {{"192.0.2.1", 300}}),
                              answer("gamma", "10.0.0.3", {}, Outcome::timeout)});
    // A second question, answered NXDOMAIN with an owner that is not the question's name.
    AnswerComparison nx;
    nx.name = "mail.shop.test.";
    nx.type = 28;
    nx.ttl_differs = true;
    nx.ttl_notes = {"a note"};
    nx.variants = {AnswerVariant{{"other.test. 5 x.shop.test."}, {"alpha"}, {"ns [1]"}, 3},
                   AnswerVariant{{}, {"beta"}, {}, -1}};
    c.push_back(nx);
    const KeptAnswers kept(c);
    CHECK(kept.size() == 2);
    CHECK_FALSE(kept.empty());
    auto expect = c;
    for (auto& e : expect) {
        e.ttl_notes.clear();
        for (auto& v : e.variants) v.servers.clear();
    }
    const auto back = kept.expand();
    REQUIRE(back.size() == expect.size());
    for (size_t i = 0; i < back.size(); ++i) {
        CHECK(back[i].name == expect[i].name);
        CHECK(back[i].type == expect[i].type);
        CHECK(back[i].consistent == expect[i].consistent);
        CHECK(back[i].ttl_differs == expect[i].ttl_differs);
        CHECK(back[i].unanswered == expect[i].unanswered);
        CHECK(back[i].differing == expect[i].differing);
        CHECK(back[i].ttl_notes.empty());
        REQUIRE(back[i].variants.size() == expect[i].variants.size());
        for (size_t j = 0; j < back[i].variants.size(); ++j) {
            CHECK(back[i].variants[j].records == expect[i].variants[j].records);
            CHECK(back[i].variants[j].providers == expect[i].variants[j].providers);
            CHECK(back[i].variants[j].rcode == expect[i].variants[j].rcode);
            CHECK(back[i].variants[j].servers.empty());
        }
    }
    CHECK(back[0].unanswered == 1);
    CHECK_FALSE(back[0].differing.empty());
    // Packed: fewer bytes than the strings alone (the question's name is not repeated in front of
    // each record).
    size_t text = 0;
    for (const auto& e : expect) {
        text += e.name.size();
        for (const auto& v : e.variants) {
            for (const auto& rec : v.records) text += rec.size();
            for (const auto& p : v.providers) text += p.size();
        }
        for (const auto& rec : e.differing) text += rec.size();
    }
    CHECK(kept.packed_bytes() < text);
    CHECK(KeptAnswers().expand().empty());
    CHECK(KeptAnswers().empty());
}

TEST_CASE("answers: a DNSKEY set that lacks a signer's key names the provider and the key tag") {
    const std::string key =
        "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmm"
        "AphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
    auto keys = [&](const std::string& provider, const std::string& addr,
                    const std::vector<std::string>& flags) {
        ProbeResult r;
        r.target.provider = provider;
        r.target.nameserver = "ns." + provider;
        r.target.address = addr;
        r.query.name = "shop.test";
        r.query.type = 48;
        r.outcome = Outcome::ok;
        r.rcode = 0;
        for (const auto& f : flags)
            r.answer.push_back(Record{"shop.test.", 48, 3600, f + " 3 5 " + key});
        return r;
    };
    // alpha and gamma publish the KSK (60486) and the ZSK (60485); beta dropped the ZSK.
    const auto c = compare_answers({keys("alpha", "10.0.0.1", {"256", "257"}),
                                    keys("beta", "10.0.1.1", {"257"}),
                                    keys("gamma", "10.0.2.1", {"257", "256"})});
    REQUIRE(c.size() == 1);
    CHECK_FALSE(c[0].consistent);
    // Told by key (keyset_mismatch), and so not among the answer differences.
    std::vector<std::string> lacking;
    for (const auto& k : provider_keysets(c)) {
        if (auto t = describe(k); !t.empty()) lacking.push_back(t);
    }
    CHECK(lacking ==
          std::vector<std::string>{"[beta] DNSKEY lacks 60485/5 (served by alpha, gamma)"});
    CHECK(describe_differences(keyset_free_comparisons(c)).empty());
    // The same keys everywhere: consistent, nothing to describe.
    CHECK(describe_differences(compare_answers({keys("alpha", "10.0.0.1", {"256", "257"}),
                                                keys("beta", "10.0.1.1", {"257", "256"})}))
              .empty());
}
