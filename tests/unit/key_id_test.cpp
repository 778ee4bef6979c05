// Keys named by tag and algorithm. The expected tags are RFC 4034 §5.4's example (60485) and the
// same key with the SEP flag, computed apart from ldns (the Appendix B sum, by hand in Python).
#include "dns/key_id.hpp"

#include <catch2/catch.hpp>

#include "dns/rr_types.hpp"

using namespace nswatch;

namespace {
const std::string kRfc4034Key =
    "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAp"
    "hXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
}  // namespace

TEST_CASE("key ids: DNSKEY and CDNSKEY by computed tag, DS and CDS by the tag they name") {
    CHECK(key_id(kTypeDnskey, "256 3 5 " + kRfc4034Key) == "60485/5");
    CHECK(key_id(kTypeCdnskey, "256 3 5 " + kRfc4034Key) == "60485/5");
    CHECK(key_id(kTypeDnskey, "257 3 5 " + kRfc4034Key) == "60486/5");
    CHECK(key_id(kTypeDs, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118") == "60485/5");
    CHECK(key_id(kTypeCds, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118") == "60485/5");
    CHECK(names_a_key(kTypeDnskey));
    CHECK(names_a_key(kTypeCds));
    CHECK_FALSE(names_a_key(kTypeA));
}

TEST_CASE("key ids: what does not parse names no key") {
    CHECK_FALSE(key_id(kTypeDnskey, "not a key").has_value());
    CHECK_FALSE(key_id(kTypeDnskey, "").has_value());
    CHECK_FALSE(key_id(kTypeDs, "x 5 1 AB").has_value());
    CHECK_FALSE(key_id(kTypeDs, "70000 5 1 AB").has_value());
    CHECK_FALSE(key_id(kTypeA, "192.0.2.1").has_value());
}
