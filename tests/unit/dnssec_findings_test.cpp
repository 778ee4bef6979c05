// A zone's DNSSEC findings in words: the keys a provider lacks, then each signature that does not
// validate with the provider's own DNSKEY set, named by provider.
#include "monitor/dnssec_findings.hpp"

#include <catch2/catch.hpp>

#include "monitor/keysets.hpp"
#include "monitor/signatures.hpp"

using namespace nswatch;

namespace {

ZoneState signed_zone() {
    ZoneState z;
    z.zone = "shop.test";
    ProviderKeyset alpha{"alpha", "shop.test.", 48, {"36029/13", "60485/13"}, {}};
    ProviderKeyset beta{"beta", "shop.test.", 48, {"60485/13"}, {{"36029/13", {"alpha"}}}};
    z.keysets = {alpha, beta};
    ProviderSignatures sig;
    sig.provider = "beta";
    sig.vantage = "default";
    sig.rrsets = 3;
    sig.problems = {
        {"ns1.beta-dns.test", "127.53.2.1", "shop.test. SOA", SignatureFault::bogus, "60485/13"}};
    z.signatures = {sig};
    return z;
}

}  // namespace

TEST_CASE("dnssec findings: a lacking provider's keys, then its bogus signature") {
    const auto findings = dnssec_findings(signed_zone());
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].rule == "keyset_mismatch");
    CHECK(findings[0].text == "[beta] DNSKEY lacks 36029/13 (served by alpha)");
    CHECK(findings[1].rule == "dnssec_invalid");
    CHECK(findings[1].text ==
          "[beta] ns1.beta-dns.test [127.53.2.1]: shop.test. SOA RRSIG by 60485/13 does not "
          "verify (bogus)");
}

TEST_CASE("dnssec findings: none for agreeing, validating providers") {
    ZoneState z = signed_zone();
    z.keysets[1].missing.clear();
    z.signatures[0].problems.clear();
    CHECK(dnssec_findings(z).empty());
    CHECK(dnssec_findings(ZoneState{}).empty());
}
