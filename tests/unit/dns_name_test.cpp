// dns/dns_name: canonical form, bailiwick, label counts, and name equality without copies.
#include "dns/dns_name.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

TEST_CASE("dns_name: canonical form, bailiwick and labels", "[dns_name]") {
    CHECK(canonical_name("WWW.Shop.Test.") == "www.shop.test");
    CHECK(canonical_name(".") == ".");
    CHECK(in_bailiwick("www.shop.test", "shop.test"));
    CHECK(in_bailiwick("shop.test", "shop.test"));
    CHECK_FALSE(in_bailiwick("myshop.test", "shop.test"));
    CHECK(in_bailiwick("anything.example", "."));
    CHECK(label_count(".") == 0);
    CHECK(label_count("shop.test") == 2);
}

TEST_CASE("dns_name: same_dns_name ignores ASCII case and the trailing dot", "[dns_name]") {
    CHECK(same_dns_name("WWW.shop.test.", "www.Shop.Test"));
    CHECK(same_dns_name("www.shop.test", "www.shop.test"));
    CHECK_FALSE(same_dns_name("www.shop.test.", "ww.shop.test."));
    CHECK_FALSE(same_dns_name("www.shop.test.", "www.shop.test.."));
    CHECK_FALSE(same_dns_name("a.test", "b.test"));
}
