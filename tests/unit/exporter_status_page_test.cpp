#include <catch2/catch.hpp>

#include "exporter/status_page.hpp"
#include "exporter_test_support.hpp"

using namespace nswatch;
using Catch::Matchers::Contains;

TEST_CASE("html_escape escapes the five HTML characters", "[exporter][html]") {
    CHECK(html_escape(R"(<a href="x">'&'</a>)") ==
          "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    CHECK(html_escape("ns1.shop.test") == "ns1.shop.test");
}

TEST_CASE("status page shows zones, targets and failures, escaped", "[exporter][html]") {
    const Snapshot s = test::sample_snapshot();
    const std::string page = render_status_page(&s);
    CHECK_THAT(page, Contains("<h2>shop.test</h2>"));
    CHECK_THAT(page, Contains("ns1.alpha.test"));
    CHECK_THAT(page, Contains("2001:db8::53"));
    CHECK_THAT(page, Contains("only at parent: ns-old.beta.test"));
    CHECK_THAT(page, Contains("1.5 ms"));
    CHECK_THAT(page, Contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    CHECK_THAT(page, Contains("no reply within 2 s &amp; &lt;b&gt;gone&lt;/b&gt;"));
    // The only tags are ours: no script at all, and the hostile detail stays text.
    CHECK(page.find("<script") == std::string::npos);
    CHECK(page.find("<b>") == std::string::npos);
    CHECK(page.find("http://") == std::string::npos);  // nothing external to load
    CHECK(page.find("https://") == std::string::npos);
}

TEST_CASE("status page lists problems first", "[exporter][html]") {
    Snapshot s = test::sample_snapshot();
    ZoneState fine = s.zones[0];
    fine.zone = "aaa-fine.test";
    fine.delegation = {};
    fine.targets.resize(1);  // alpha only: current and up
    s.zones.insert(s.zones.begin(), fine);
    const std::string page = render_status_page(&s);
    // shop.test has a down provider; it sorts before aaa-fine.test although later by name.
    CHECK(page.find("<h2>shop.test</h2>") < page.find("<h2>aaa-fine.test</h2>"));
    // Within shop.test, beta (down) before alpha.
    const auto shop = page.find("<h2>shop.test</h2>");
    CHECK(page.find("ns1.beta.test", shop) < page.find("ns1.alpha.test", shop));
}

TEST_CASE("status page before the first round", "[exporter][html]") {
    CHECK_THAT(render_status_page(nullptr), Contains("No probe round has finished yet"));
}

TEST_CASE("status page shows a missing delegation in red, first", "[exporter][html]") {
    Snapshot s = test::sample_snapshot();
    ZoneState gone = s.zones[0];
    gone.zone = "zzz-gone.test";
    gone.targets.clear();
    gone.providers.clear();
    gone.delegation = {};
    gone.delegation.consistent = false;
    gone.delegation.missing = MissingReason::parent_nxdomain;
    gone.delegation.missing_detail =
        "the parent's server 127.53.0.2 (zone 'test') answers NXDOMAIN";
    s.zones.push_back(gone);
    const std::string page = render_status_page(&s);
    CHECK_THAT(page, Contains("<span class=\"down\">MISSING (parent_nxdomain)</span> the "
                              "parent&#39;s server 127.53.0.2 (zone &#39;test&#39;) answers "
                              "NXDOMAIN"));
    // Worse than shop.test's down provider: it sorts first although last by name.
    CHECK(page.find("<h2>zzz-gone.test</h2>") < page.find("<h2>shop.test</h2>"));
    const auto gone_at = page.find("<h2>zzz-gone.test</h2>");
    const std::string section = page.substr(gone_at, page.find("<h2>shop.test</h2>") - gone_at);
    CHECK(section.find("consistent") == std::string::npos);  // not "consistent" in green
}

TEST_CASE(
    "status page: the verdict first, states in the words of check and status, names not numbers",
    "[exporter][html]") {
    Snapshot s = test::sample_snapshot();
    s.recent_failures[0].query.type = 6;
    s.recent_failures[0].rcode = 5;
    const std::string page = render_status_page(&s);
    // beta's only address is down: a provider down is CRITICAL, and that comes before any zone.
    const auto verdict =
        page.find("<p class=\"verdict down\">CRITICAL: 1 of 1 zones need a look</p>");
    REQUIRE(verdict != std::string::npos);
    CHECK(verdict < page.find("<h2>shop.test</h2>"));
    // Active alerts go right under the verdict (http_server fills the marker).
    CHECK(page.find(kTopSectionsMarker) > verdict);
    CHECK(page.find(kTopSectionsMarker) < page.find("<h2>shop.test</h2>"));
    CHECK_THAT(page, Contains("<td>down: timeout</td>"));
    CHECK_THAT(page, Contains("<td>current</td>"));
    CHECK_THAT(page, Contains("<td>shop.test SOA</td>"));
    CHECK_THAT(page, Contains("<td>REFUSED</td>"));
    CHECK(page.find(" type 6") == std::string::npos);
    CHECK_THAT(page, Contains("<meta http-equiv=\"refresh\" content=\"30\">"));

    s.zones[0].targets.resize(1);  // alpha only: current and up
    s.zones[0].delegation = {};
    CHECK_THAT(render_status_page(&s),
               Contains("<p class=\"verdict ok\">OK: all 1 zones fine</p>"));
}

TEST_CASE("status page names a provider's lacking key and failing signature, escaped",
          "[exporter][html]") {
    Snapshot s = test::sample_snapshot();
    s.zones[0].keysets = {
        ProviderKeyset{"beta", "shop.test.", 48, {"60485/13"}, {{"36029/13", {"alpha"}}}}};
    ProviderSignatures sig;
    sig.provider = "beta";
    sig.problems = {
        {"ns1.beta.test", "127.53.2.1", "<b>.shop.test. SOA", SignatureFault::bogus, "60485/13"}};
    s.zones[0].signatures = {sig};
    const std::string page = render_status_page(&s);
    CHECK_THAT(page, Contains("keyset_mismatch</span> [beta] DNSKEY lacks 36029/13 (served by "
                              "alpha)"));
    CHECK_THAT(page,
               Contains("dnssec_invalid</span> [beta] ns1.beta.test [127.53.2.1]: "
                        "&lt;b&gt;.shop.test. SOA RRSIG by 60485/13 does not verify (bogus)"));
    CHECK(page.find("<b>") == std::string::npos);
}
