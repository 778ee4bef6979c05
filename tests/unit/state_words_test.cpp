// monitor/state_words: one vocabulary for an address's state, and the exit status of a zone by the
// rules of `nswatch check`.
#include "monitor/state_words.hpp"

#include <catch2/catch.hpp>

using namespace nswatch;

namespace {

AddressView answering(std::string provider, SerialState s = SerialState::current,
                      uint32_t behind = 0) {
    return {std::move(provider), true, true, Outcome::ok, s, behind};
}

AddressView down(std::string provider, Outcome last = Outcome::timeout) {
    return {std::move(provider), true, false, last, SerialState::no_answer, 0};
}

}  // namespace

TEST_CASE("state words: each state has one name") {
    CHECK(state_text(answering("a")) == "current");
    CHECK(state_text(answering("a", SerialState::behind, 3)) == "behind 3");
    CHECK(state_text(answering("a", SerialState::ahead_of_primary)) == "ahead of primary");
    CHECK(state_text(answering("a", SerialState::undefined)) == "serial undefined");
    CHECK(state_text(down("a")) == "down: timeout");
    CHECK(state_text(down("a", Outcome::refused)) == "down: refused");
    AddressView flaky = answering("a");
    flaky.last = Outcome::servfail;
    CHECK(state_text(flaky) == "last probe: servfail");
    AddressView fresh = down("a");
    fresh.known = false;
    CHECK(state_text(fresh) == "unknown");
    CHECK(state_text(answering("a", SerialState::no_answer)) == "unknown");
    CHECK_FALSE(is_problem(answering("a")));
    CHECK(is_problem(down("a")));
}

TEST_CASE("state words: a zone exits as check would") {
    CHECK(zone_status({}) == PluginStatus::ok);
    CHECK(zone_status({answering("a"), answering("b")}) == PluginStatus::ok);
    // One address of a provider down: the other still answers.
    CHECK(zone_status({answering("a"), down("b"), answering("b")}) == PluginStatus::warning);
    CHECK(zone_status({answering("a"), answering("b", SerialState::behind, 1)}) ==
          PluginStatus::warning);
    // Every address of a provider down: the provider is down.
    CHECK(zone_status({answering("a"), down("b"), down("b")}) == PluginStatus::critical);
    CHECK(zone_status({answering("a"), answering("b", SerialState::ahead_of_primary)}) ==
          PluginStatus::critical);
    CHECK(zone_status({answering("a"), answering("b", SerialState::undefined)}) ==
          PluginStatus::critical);
    // No evidence counts for nothing: a provider not yet judged is not down.
    AddressView fresh = down("b");
    fresh.known = false;
    CHECK(zone_status({answering("a"), fresh}) == PluginStatus::ok);
}
