// Answer changes between two rounds, per provider: edits, NXDOMAIN, providers that did not
// answer in one of the rounds (not a change), and the one-line description.
#include "monitor/answer_changes.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

namespace {

AnswerVariant variant(std::vector<std::string> records, std::vector<std::string> providers,
                      int rcode = 0) {
    AnswerVariant v;
    v.records = std::move(records);
    v.providers = std::move(providers);
    v.rcode = rcode;
    return v;
}

AnswerComparison question(const std::string& name, uint16_t type,
                          std::vector<AnswerVariant> variants) {
    AnswerComparison c;
    c.name = name;
    c.type = type;
    c.variants = std::move(variants);
    c.consistent = c.variants.size() <= 1;
    return c;
}

}  // namespace

TEST_CASE("answer changes: an edited record at one provider, nothing for the others") {
    const std::vector<AnswerComparison> before{
        question("www.shop.test.", 1,
                 {variant({"www.shop.test. A 192.0.2.1"}, {"alpha", "beta", "gamma"})}),
        question("shop.test.", 15, {variant({"shop.test. MX 10 mx.shop.test."}, {"alpha"})})};
    const std::vector<AnswerComparison> after{
        question("www.shop.test.", 1,
                 {variant({"www.shop.test. A 192.0.2.1"}, {"alpha", "gamma"}),
                  variant({"www.shop.test. A 192.0.2.9"}, {"beta"})}),
        question("shop.test.", 15, {variant({"shop.test. MX 10 mx.shop.test."}, {"alpha"})})};
    const auto changes = answer_changes(before, after);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].name == "www.shop.test.");
    CHECK(changes[0].type == 1);
    CHECK(changes[0].provider == "beta");
    CHECK(changes[0].before == std::vector<std::string>{"www.shop.test. A 192.0.2.1"});
    CHECK(changes[0].after == std::vector<std::string>{"www.shop.test. A 192.0.2.9"});
    CHECK(describe(changes[0]) ==
          "www.shop.test. A at beta: www.shop.test. A 192.0.2.1 -> www.shop.test. A 192.0.2.9");
    CHECK(answer_changes(after, after).empty());
}

TEST_CASE("answer changes: NXDOMAIN, a provider missing from a round, new questions") {
    const std::vector<AnswerComparison> before{question(
        "old.shop.test.", 1, {variant({"old.shop.test. A 192.0.2.5"}, {"alpha", "beta"})})};
    // beta timed out this round (absent from every variant); alpha now says NXDOMAIN; a new
    // watched name has no earlier round to compare with.
    const std::vector<AnswerComparison> after{
        question("old.shop.test.", 1, {variant({}, {"alpha"}, 3)}),
        question("new.shop.test.", 1, {variant({"new.shop.test. A 192.0.2.6"}, {"alpha"})})};
    const auto changes = answer_changes(before, after);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].provider == "alpha");
    CHECK(changes[0].rcode_after == 3);
    CHECK(describe(changes[0]) ==
          "old.shop.test. A at alpha: old.shop.test. A 192.0.2.5 -> NXDOMAIN");
}

TEST_CASE("answer changes: a provider whose servers disagree is compared as one set") {
    const std::vector<AnswerComparison> before{
        question("www.shop.test.", 1,
                 {variant({"www.shop.test. A 192.0.2.1"}, {"alpha", "beta"}),
                  variant({"www.shop.test. A 192.0.2.2"}, {"beta"})})};
    // The same split in the next round: no change. One server catching up: a change.
    CHECK(answer_changes(before, before).empty());
    const std::vector<AnswerComparison> after{question(
        "www.shop.test.", 1, {variant({"www.shop.test. A 192.0.2.1"}, {"alpha", "beta"})})};
    const auto changes = answer_changes(before, after);
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].provider == "beta");
    CHECK(changes[0].before ==
          std::vector<std::string>{"www.shop.test. A 192.0.2.1", "www.shop.test. A 192.0.2.2"});
    CHECK(changes[0].after == std::vector<std::string>{"www.shop.test. A 192.0.2.1"});
}
