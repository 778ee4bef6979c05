// The status page as a browser sees it: headless Chromium (Debian `chromium`, installed by
// scripts/bootstrap.sh) loads `/` from a live server and dumps the DOM it built.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "exporter/http_server.hpp"
#include "exporter_test_support.hpp"

using namespace nswatch;
using Catch::Matchers::Contains;

TEST_CASE("status page loads in headless Chromium", "[exporter][html][chromium]") {
    REQUIRE(std::system("command -v chromium >/dev/null") == 0);
    const SnapshotPtr snapshot = test::sample_snapshot_ptr();
    HttpServer server(test::http_options({"127.0.0.1:0"}), [&] { return snapshot; }, {});
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";

    // --no-sandbox: tests may run as root, where Chromium refuses its sandbox.
    const std::string command =
        // No background networking: this machine has no network, and Chromium would otherwise
        // try (and retry) to reach its update and sync services on every start.
        "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic "
        "--no-first-run --disable-background-networking --disable-component-update "
        "--disable-sync --user-data-dir=$(mktemp -d) --dump-dom " +
        url + " 2>/dev/null";
    std::string dom;
    FILE* p = popen(command.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) dom.append(buf, n);
    const int status = pclose(p);
    INFO(dom);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK_THAT(dom, Contains("<h2>shop.test</h2>"));
    CHECK_THAT(dom, Contains("ns1.beta.test"));
    // The hostile NSID reached the DOM as text, not as an element.
    CHECK_THAT(dom, Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(dom.find("<script") == std::string::npos);
    CHECK_THAT(dom, Contains("Recent failed probes"));
}
