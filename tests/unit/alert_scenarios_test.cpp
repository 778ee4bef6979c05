// Every story in tests/scenarios/ (see alert_scenario.hpp for the language) holds: the exact
// notifications a user receives through an outage, its recovery and a restart.
#include <catch2/catch.hpp>
#include <filesystem>

#include "alert_scenario.hpp"

TEST_CASE("alert scenarios: every story's notifications are exactly as written") {
    const std::filesystem::path dir = std::filesystem::path(NSWATCH_SOURCE_DIR) / "tests/scenarios";
    std::vector<std::filesystem::path> stories;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() == ".story") stories.push_back(e.path());
    }
    std::sort(stories.begin(), stories.end());
    REQUIRE(stories.size() >= 8);
    for (const auto& story : stories) {
        DYNAMIC_SECTION(story.filename().string()) {
            const auto failures = nswatch::test::run_alert_story(story.string());
            for (const auto& f : failures) UNSCOPED_INFO(story.filename().string() << ": " << f);
            CHECK(failures.empty());
        }
    }
}
