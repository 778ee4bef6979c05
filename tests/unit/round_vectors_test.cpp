#include "monitor/round_vectors.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

namespace {
ProbeResult result_for(const std::string& zone) {
    ProbeResult r;
    r.target.zone = zone;
    r.query.name = zone;
    return r;
}
}  // namespace

TEST_CASE("RoundVectorPool: a vector given back is handed out again empty with its storage") {
    RoundVectorPool pool;
    auto v = pool.take(8);
    CHECK(v.empty());
    CHECK(v.capacity() >= 8);
    for (int i = 0; i < 8; ++i) v.push_back(result_for("a-long-zone-name-" + std::to_string(i)));
    const ProbeResult* storage = v.data();
    pool.give_back(v);
    CHECK(v.empty());
    CHECK(v.capacity() == 0);
    CHECK(pool.kept() == 1);

    auto again = pool.take(4);
    CHECK(again.empty());
    CHECK(again.data() == storage);  // the same allocation, not a new one
    CHECK(pool.kept() == 0);
}

TEST_CASE("RoundVectorPool: a vector asked larger than the kept one grows it") {
    RoundVectorPool pool;
    auto v = pool.take(2);
    pool.give_back(v);
    auto big = pool.take(20);
    CHECK(big.capacity() >= 20);
    CHECK(big.empty());
}

TEST_CASE("RoundVectorPool: keeps at most max_kept vectors and none above max_capacity") {
    RoundVectorPool pool(2, 16);
    std::vector<std::vector<ProbeResult>> out;
    for (int i = 0; i < 3; ++i) out.push_back(pool.take(4));
    for (auto& v : out) pool.give_back(v);
    CHECK(pool.kept() == 2);
    for (const auto& v : out) CHECK(v.capacity() == 0);

    RoundVectorPool small(4, 16);
    auto large = small.take(17);
    small.give_back(large);
    CHECK(small.kept() == 0);
    CHECK(large.capacity() == 0);

    // A vector that never got storage is not worth keeping.
    std::vector<ProbeResult> none;
    small.give_back(none);
    CHECK(small.kept() == 0);
}
