// QueryBuilder: the engine's spliced queries are octet for octet what ldns builds as a whole
// packet.
#include "prober/engine_queries.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "prober/query.hpp"

using namespace nswatch;

TEST_CASE("engine queries: the same octets as build_query", "[engine][query]") {
    std::vector<Query> queries;
    for (const std::string name : {"shop.test", "Shop.TEST.", ".", "", "a.b.c.d.e.f.example",
                                   "xn--bcher-kva.example", "with\\.dot.test"}) {
        Query q;
        q.name = name;
        queries.push_back(q);
    }
    Query rd;
    rd.name = "shop.test";
    rd.recursion_desired = true;
    rd.type = 1;
    queries.push_back(rd);
    Query plain;
    plain.name = "shop.test";
    plain.edns = false;
    plain.nsid = false;
    queries.push_back(plain);
    Query dnssec;
    dnssec.name = "shop.test";
    dnssec.dnssec_ok = true;
    dnssec.edns_buffer_size = 4096;
    dnssec.type = 48;
    queries.push_back(dnssec);
    Query options;
    options.name = "shop.test";
    options.edns_version = 1;
    options.edns_options = {EdnsOption{65001, {1, 2, 3}}, EdnsOption{65002, {}}};
    queries.push_back(options);

    QueryBuilder builder;
    for (int round = 0; round < 2; ++round) {  // the second round from the kept templates
        uint16_t id = 0x1234;
        for (const auto& q : queries) {
            INFO("name '" << q.name << "' type " << q.type << " round " << round);
            CHECK(builder.bytes(q, id) == build_query(q, id));
            id = static_cast<uint16_t>(id * 7 + 1);
        }
    }
}

TEST_CASE("engine queries: a name ldns cannot parse is refused by name", "[engine][query]") {
    QueryBuilder builder;
    Query q;
    q.name = std::string(64, 'x') + ".test";
    CHECK_THROWS_MATCHES(builder.bytes(q, 1), std::invalid_argument,
                         Catch::Message("not a valid domain name: '" + q.name + "'"));
    q.name = "fine.test";
    CHECK(builder.bytes(q, 1) == build_query(q, 1));  // and the builder still works after it
}

TEST_CASE("engine queries: names kept by the builder give the octets of each name asked",
          "[engine][query]") {
    // More names than the builder keeps (so that several share a slot and replace each other),
    // asked in an order that returns to each: every query is still its own name's.
    std::vector<std::string> names;
    for (int i = 0; i < 300; ++i) names.push_back("h" + std::to_string(i) + ".z.test");
    names.push_back("H0.Z.test");  // another spelling is another name to the builder
    QueryBuilder builder;
    for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < names.size(); i += (round == 1 ? 7 : 1)) {
            Query q;
            q.name = names[i];
            INFO("name " << q.name << " round " << round);
            CHECK(builder.bytes(q, 7) == build_query(q, 7));
            CHECK(builder.bytes(q, 8) == build_query(q, 8));  // asked again at once
        }
    }
    // A refused name leaves the kept ones as they were.
    Query bad;
    bad.name = std::string(64, 'x') + ".z.test";
    CHECK_THROWS_AS(builder.bytes(bad, 1), std::invalid_argument);
    Query q;
    q.name = names[5];
    CHECK(builder.bytes(q, 1) == build_query(q, 1));
}
