// SharedList: the snapshot's zone list reads like a vector and writes copy-on-write.
#include "monitor/zone_list.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

using namespace nswatch;

TEST_CASE("shared list: iterates, indexes and searches like a vector of const items") {
    SharedList<std::string> l{"a", "b"};
    l.push_back(std::string("c"));
    REQUIRE(l.size() == 3);
    CHECK(l[1] == "b");
    CHECK(l.front() == "a");
    CHECK(l.back() == "c");
    std::string joined;
    for (const auto& s : l) joined += s;
    CHECK(joined == "abc");
    const auto it = std::find(l.begin(), l.end(), "b");
    REQUIRE(it != l.end());
    CHECK(it - l.begin() == 1);
    CHECK(it->size() == 1);
    l.insert(l.begin(), "z");
    CHECK(l[0] == "z");
    CHECK(l.size() == 4);
}

TEST_CASE(
    "shared list: writing a shared item copies it first, an unshared one is written in place") {
    auto item = std::make_shared<std::string>("published");
    SharedList<std::string> l;
    l.push_back(std::shared_ptr<const std::string>(item));
    l[0] += " and edited";  // shared with `item`: copied
    CHECK(*item == "published");
    CHECK(l[0] == "published and edited");
    const std::string* own = &l[0];
    l[0] += " again";  // now the list's own copy
    CHECK(&l[0] == own);

    SharedList<std::string> copy = l;  // shares every item
    copy.back() = "changed";
    CHECK(l[0] == "published and edited again");
    CHECK(copy[0] == "changed");
}
