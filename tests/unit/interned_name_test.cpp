// InternedName and KeptTarget: one string per distinct name, handles compare like the names, a
// KeptTarget gives back the Target it was made from.
#include "dns/interned_name.hpp"

#include <catch2/catch.hpp>
#include <sstream>
#include <thread>
#include <vector>

using namespace nswatch;

TEST_CASE("interned name: equal names share one string") {
    const InternedName a("ns1.alpha.test");
    const InternedName b(std::string("ns1.") + "alpha.test");
    CHECK(a == b);
    CHECK(&a.str() == &b.str());
    CHECK(a == "ns1.alpha.test");
    CHECK(std::string("ns1.alpha.test") == a);
    CHECK(a != "ns1.beta.test");
    CHECK(a.size() == 14);
    CHECK(std::string(a.c_str()) == "ns1.alpha.test");
    CHECK(InternedName().empty());
    CHECK(InternedName() == InternedName(""));
    InternedName c;
    c = "beta";
    CHECK(c.str() == "beta");
    std::ostringstream out;
    out << a;
    CHECK(out.str() == "ns1.alpha.test");
}

TEST_CASE("interned name: ordered as the names, not as the handles") {
    const InternedName z("zeta"), a("alpha"), m("mu");
    CHECK(a < m);
    CHECK(m < z);
    CHECK_FALSE(z < a);
    CHECK((a <=> InternedName("alpha")) == std::strong_ordering::equal);
}

TEST_CASE("interned name: threads interning the same names get the same strings") {
    std::vector<const std::string*> seen(4);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < seen.size(); ++i) {
        threads.emplace_back([&seen, i] {
            for (int n = 0; n < 1000; ++n) InternedName("thread-name-" + std::to_string(n));
            seen[i] = &InternedName("thread-name-7").str();
        });
    }
    for (auto& t : threads) t.join();
    for (const auto* p : seen) CHECK(p == seen[0]);
}

TEST_CASE("kept target: gives back the Target it was made from") {
    Target t;
    t.zone = "shop.test";
    t.nameserver = "ns1.alpha.test";
    t.address = "2001:db8::53";
    t.family = Family::ipv6;
    t.provider = "alpha";
    t.vantage = "v1";
    t.transport = Transport::tcp;
    t.port = 5353;
    const KeptTarget k(t);
    CHECK(k.full() == t);
    CHECK(k.same_as(t));
    CHECK(k == KeptTarget(t));
    CHECK(sizeof(KeptTarget) <= 56);
    Target other = t;
    other.port = 53;
    CHECK_FALSE(k.same_as(other));
    other = t;
    other.vantage = "v2";
    CHECK_FALSE(k.same_as(other));
    CHECK_FALSE(k == KeptTarget(other));
}
