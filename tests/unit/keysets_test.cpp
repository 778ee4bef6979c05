// provider_keysets: the apex key sets told per provider and key; keyset_free_comparisons leaves
// them out of answer_mismatch.
#include "monitor/keysets.hpp"

#include <catch2/catch.hpp>

#include "dns/rr_types.hpp"

using namespace nswatch;

namespace {

const std::string kKey =
    "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmm"
    "AphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";

ProbeResult answer(const std::string& provider, const std::string& addr, uint16_t type,
                   const std::vector<std::string>& rdatas) {
    ProbeResult r;
    r.target.provider = provider;
    r.target.nameserver = "ns." + provider;
    r.target.address = addr;
    r.query.name = "shop.test";
    r.query.type = type;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    for (const auto& d : rdatas) r.answer.push_back(Record{"shop.test.", type, 3600, d});
    return r;
}

std::vector<std::string> dnskeys(const std::vector<std::string>& flags) {
    std::vector<std::string> out;
    for (const auto& f : flags) out.push_back(f + " 3 5 " + kKey);
    return out;
}

}  // namespace

TEST_CASE("keysets: a provider lacking the other signer's ZSK is named with the key") {
    // alpha and gamma publish the KSK (60486/5) and the ZSK (60485/5); beta dropped the ZSK.
    const auto c =
        compare_answers({answer("alpha", "10.0.0.1", kTypeDnskey, dnskeys({"256", "257"})),
                         answer("beta", "10.0.1.1", kTypeDnskey, dnskeys({"257"})),
                         answer("beta", "10.0.1.2", kTypeDnskey, dnskeys({"257"})),
                         answer("gamma", "10.0.2.1", kTypeDnskey, dnskeys({"257", "256"}))});
    const auto k = provider_keysets(c);
    REQUIRE(k.size() == 3);
    CHECK(k[0].provider == "alpha");
    CHECK(k[0].keys == std::vector<std::string>{"60485/5", "60486/5"});
    CHECK(k[0].missing.empty());
    CHECK(describe(k[0]).empty());
    CHECK(k[1].provider == "beta");
    CHECK(k[1].name == "shop.test.");
    CHECK(k[1].type == kTypeDnskey);
    CHECK(k[1].keys == std::vector<std::string>{"60486/5"});
    REQUIRE(k[1].missing.size() == 1);
    CHECK(k[1].missing[0] == MissingKey{"60485/5", {"alpha", "gamma"}});
    CHECK(describe(k[1]) == "[beta] DNSKEY lacks 60485/5 (served by alpha, gamma)");
    CHECK(k[2].missing.empty());
    // Not reported a second time as an answer difference.
    CHECK_FALSE(describe_differences(c).empty());
    CHECK(keyset_free_comparisons(c).empty());
    CHECK(describe_differences(keyset_free_comparisons(c)).empty());
}

TEST_CASE("keysets: a CDS set that differs, and a provider serving none") {
    const auto c = compare_answers({answer("alpha", "10.0.0.1", kTypeCds, {"60486 13 2 AABBCCDD"}),
                                    answer("beta", "10.0.1.1", kTypeCds, {"11111 13 2 00112233"}),
                                    answer("gamma", "10.0.2.1", kTypeCds, {})});
    const auto k = provider_keysets(c);
    REQUIRE(k.size() == 3);
    CHECK(describe(k[0]) == "[alpha] CDS lacks 11111/13 (served by beta)");
    CHECK(describe(k[1]) == "[beta] CDS lacks 60486/13 (served by alpha)");
    CHECK(describe(k[2]) ==
          "[gamma] CDS lacks 11111/13 (served by beta), 60486/13 (served by alpha)");
    CHECK(k[2].keys.empty());
}

TEST_CASE("keysets: one provider's addresses disagreeing, and records that name no key") {
    // beta's second address lags behind on the ZSK: beta lacks it, served by its other address.
    const auto c =
        compare_answers({answer("beta", "10.0.1.1", kTypeDnskey, dnskeys({"256", "257"})),
                         answer("beta", "10.0.1.2", kTypeDnskey, dnskeys({"257"}))});
    const auto k = provider_keysets(c);
    REQUIRE(k.size() == 1);
    CHECK(k[0].keys.size() == 2);
    CHECK(describe(k[0]) == "[beta] DNSKEY lacks 60485/5");

    // An unparseable key and an A record stay with answer_mismatch, record by record.
    auto a = answer("alpha", "10.0.0.1", kTypeA, {"192.0.2.1"});
    a.query.name = "www.shop.test";
    a.answer[0].owner = "www.shop.test.";
    auto b = a;
    b.target.provider = "beta";
    b.answer[0].rdata = "192.0.2.2";
    const auto mixed = compare_answers({a, b, answer("alpha", "10.0.0.1", kTypeCds, {"x"}),
                                        answer("beta", "10.0.1.1", kTypeCds, {"y"})});
    CHECK(provider_keysets(mixed).empty());
    CHECK(keyset_free_comparisons(mixed).size() == 2);
}
