// The status page as a browser sees it: headless Chromium (Debian `chromium`, installed by
// scripts/bootstrap.sh) loads `/` from a live server and dumps the DOM it built.

#include <catch2/catch.hpp>
#include <cstdio>

#include "exporter/http_server.hpp"
#include "exporter_test_support.hpp"
#include "headless_chromium.hpp"

using namespace nswatch;
using Catch::Matchers::Contains;

TEST_CASE("status page loads in headless Chromium", "[exporter][html][chromium]") {
    REQUIRE(std::system("command -v chromium >/dev/null") == 0);
    const SnapshotPtr snapshot = test::sample_snapshot_ptr();
    HttpServer server(test::http_options({"127.0.0.1:0"}), [&] { return snapshot; }, {});
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";

    const test::ChromiumPage page = test::chromium_dump_dom(url);
    const std::string& dom = page.dom;
    INFO(dom);
    REQUIRE(page.exited);
    CHECK(page.exit_code == 0);
    CHECK_THAT(dom, Contains("<h2>shop.test</h2>"));
    CHECK_THAT(dom, Contains("ns1.beta.test"));
    // The hostile NSID reached the DOM as text, not as an element.
    CHECK_THAT(dom, Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(dom.find("<script") == std::string::npos);
    CHECK_THAT(dom, Contains("Recent failed probes"));
}
