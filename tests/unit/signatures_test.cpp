// check_provider_signatures: each address's answers of a round validated with the DNSKEY set the
// same address served, grouped per provider; describe names address, RRset, key and reason.
#include "monitor/signatures.hpp"

#include <catch2/catch.hpp>

#include "test_signer.hpp"

using namespace nswatch;
using namespace std::chrono_literals;

namespace {

const auto t0 = std::chrono::system_clock::time_point{} + 1800000000s;
const Record kSoa{"shop.test.", kTypeSoa, 3600,
                  "ns1.alpha.test. hostmaster.shop.test. 2026120601 3600 900 604800 300"};

ProbeResult result(const std::string& provider, const std::string& addr, uint16_t type,
                   std::vector<Record> answer, Transport t = Transport::udp) {
    ProbeResult r;
    r.target.zone = "shop.test";
    r.target.provider = provider;
    r.target.nameserver = "ns1." + provider + ".test";
    r.target.address = addr;
    r.target.vantage = "v1";
    r.target.transport = t;
    r.query.name = "shop.test";
    r.query.type = type;
    r.query.dnssec_ok = true;
    r.outcome = Outcome::ok;
    r.rcode = 0;
    r.answer = std::move(answer);
    return r;
}

// Two signers (RFC 8901 model 2): each provider signs with its own ZSK and publishes both ZSKs
// and the shared KSK.
struct MultiSigner {
    test::TestSigner ksk{"shop.test.", 257, t0 - 24h, t0 + 480h};
    test::TestSigner zsk_a{"shop.test.", 256, t0 - 24h, t0 + 240h};
    test::TestSigner zsk_b{"shop.test.", 256, t0 - 24h, t0 + 200h};

    std::vector<Record> dnskey_answer(std::vector<Record> keys) const {
        keys.push_back(ksk.sign(keys));
        return keys;
    }
};

}  // namespace

TEST_CASE("provider signatures: healthy signers validate, a lost ZSK and a bogus SOA are named") {
    const MultiSigner m;
    const std::vector<Record> both{m.ksk.dnskey(), m.zsk_a.dnskey(), m.zsk_b.dnskey()};
    const std::vector<Record> only_b{m.ksk.dnskey(), m.zsk_b.dnskey()};
    Record changed = kSoa;
    changed.rdata = "ns1.alpha.test. hostmaster.shop.test. 2026120699 3600 900 604800 300";
    const std::vector<ProbeResult> serial{
        // alpha signs with zsk_a, over UDP and TCP: one RRset checked once per address.
        result("alpha", "10.0.0.1", kTypeSoa, {kSoa, m.zsk_a.sign({kSoa})}),
        result("alpha", "10.0.0.1", kTypeSoa, {kSoa, m.zsk_a.sign({kSoa})}, Transport::tcp),
        // beta signs with zsk_b but serves an SOA changed after signing.
        result("beta", "10.0.1.1", kTypeSoa, {changed, m.zsk_b.sign({kSoa})}),
        // gamma serves alpha's signature but dropped zsk_a from its DNSKEY set.
        result("gamma", "10.0.2.1", kTypeSoa, {kSoa, m.zsk_a.sign({kSoa})}),
        // delta never answered the DNSKEY question this round: not judged.
        result("delta", "10.0.3.1", kTypeSoa, {kSoa}),
    };
    const std::vector<ProbeResult> watched{
        result("alpha", "10.0.0.1", kTypeDnskey, m.dnskey_answer(both)),
        result("beta", "10.0.1.1", kTypeDnskey, m.dnskey_answer(both)),
        result("gamma", "10.0.2.1", kTypeDnskey, m.dnskey_answer(only_b)),
    };
    const auto ps = check_provider_signatures("shop.test", serial, watched, t0);
    REQUIRE(ps.size() == 3);
    CHECK(ps[0].provider == "alpha");
    CHECK(ps[0].vantage == "v1");
    CHECK(ps[0].rrsets == 2);  // SOA and DNSKEY
    CHECK(ps[0].problems.empty());
    REQUIRE(ps[0].expires);
    CHECK(*ps[0].expires == t0 + 240h);  // the SOA's, sooner than the DNSKEY set's

    CHECK(ps[1].provider == "beta");
    REQUIRE(ps[1].problems.size() == 1);
    CHECK(ps[1].problems[0] == SignatureProblem{"ns1.beta.test", "10.0.1.1", "shop.test. SOA",
                                                SignatureFault::bogus, m.zsk_b.key_id()});
    CHECK(describe(ps[1].problems[0]) == "ns1.beta.test [10.0.1.1]: shop.test. SOA RRSIG by " +
                                             m.zsk_b.key_id() + " does not verify (bogus)");
    CHECK(*ps[1].expires == t0 + 480h);  // only its DNSKEY set validates

    CHECK(ps[2].provider == "gamma");
    REQUIRE(ps[2].problems.size() == 1);
    CHECK(ps[2].problems[0].fault == SignatureFault::unknown_key);
    CHECK(describe(ps[2].problems[0]) == "ns1.gamma.test [10.0.2.1]: shop.test. SOA RRSIG by " +
                                             m.zsk_a.key_id() +
                                             ", a key not in its DNSKEY set (unknown_key)");
}

TEST_CASE("provider signatures: unsigned zones and failed probes are not judged") {
    const MultiSigner m;
    auto timeout = result("alpha", "10.0.0.1", kTypeDnskey, {});
    timeout.outcome = Outcome::timeout;
    CHECK(check_provider_signatures("shop.test",
                                    {result("alpha", "10.0.0.1", kTypeSoa, {kSoa}),
                                     result("beta", "10.0.1.1", kTypeSoa, {kSoa})},
                                    {result("alpha", "10.0.0.1", kTypeDnskey, {}), timeout}, t0)
              .empty());
    // DNSKEYs served but the SOA unsigned: missing_rrsig, with no key to name.
    const auto ps = check_provider_signatures(
        "shop.test.", {result("alpha", "10.0.0.1", kTypeSoa, {kSoa})},
        {result("alpha", "10.0.0.1", kTypeDnskey, m.dnskey_answer({m.ksk.dnskey()}))}, t0);
    REQUIRE(ps.size() == 1);
    REQUIRE(ps[0].problems.size() == 1);
    CHECK(describe(ps[0].problems[0]) ==
          "ns1.alpha.test [10.0.0.1]: shop.test. SOA has no RRSIG (missing_rrsig)");
}
