// Tests for the catalogs' shared metrics (catalog/catalog_source.hpp CatalogMetrics): no catalog,
// no lines; each source's series are its own, and leave when the source stops.
#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog_source.hpp"

using namespace nswatch;

namespace {

/// The `catalog` label of every series of `family` in `families`, sorted.
std::vector<std::string> catalogs_in(const std::vector<prometheus::MetricFamily>& families,
                                     const std::string& family) {
    std::vector<std::string> out;
    for (const auto& f : families) {
        if (f.name != family) continue;
        for (const auto& m : f.metric) {
            for (const auto& l : m.label) {
                if (l.name == "catalog") out.push_back(l.value);
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

CatalogSettings named(const std::string& name) {
    CatalogSettings s;
    s.name = name;
    s.server = "192.0.2.1";
    return s;
}

}  // namespace

TEST_CASE("catalog metrics: no family without series, one series set per source", "[catalog]") {
    auto metrics = std::make_shared<CatalogMetrics>();
    CHECK(metrics->Collect().empty());
    {
        CatalogSource first(named("first.lab"), std::nullopt, {}, metrics);
        auto second =
            std::make_unique<CatalogSource>(named("second.lab"), std::nullopt, nullptr, metrics);
        const auto families = metrics->Collect();
        REQUIRE(families.size() == 1);  // only the refresh counters exist before a transfer
        CHECK(catalogs_in(families, "nswatch_catalog_refreshes_total") ==
              std::vector<std::string>{"first.lab", "first.lab", "second.lab", "second.lab"});
        second.reset();
        CHECK(catalogs_in(metrics->Collect(), "nswatch_catalog_refreshes_total") ==
              std::vector<std::string>{"first.lab", "first.lab"});
    }
    CHECK(metrics->Collect().empty());
}
