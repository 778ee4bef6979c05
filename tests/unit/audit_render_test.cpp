// Audit reports as text, Markdown, JSON and HTML; the HTML file as headless Chromium shows it.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli/render_audit.hpp"
#include "headless_chromium.hpp"
#include "nswatch_version.hpp"

using namespace nswatch;
using Catch::Matchers::Contains;

namespace {

std::vector<AuditReport> sample() {
    AuditReport good;
    good.zone = "good.test";
    good.score = 100;
    good.failover = {{"a.test", true, {}}, {"b.test", true, {}}};
    good.without_findings = {"DEL-PROVIDERS", "SRV-UDP"};
    AuditReport bad;
    bad.zone = "bad.test";
    bad.findings.push_back({"DEL-PROVIDERS",
                            AuditSeverity::error,
                            "The delegation uses 1 provider(s): losing it takes the zone dark.",
                            {"a.test: ns1.a.test, ns2.a.test <script>alert(1)</script>"},
                            "RFC 8901 §1",
                            "Add a second DNS provider."});
    bad.skipped.push_back({"CONS-ZONE", "AXFR refused"});
    bad.failover = {{"a.test", false, {"no nameserver of another provider is in the delegation"}}};
    bad.score = audit_score(bad.findings, bad.failover);
    bad.status = audit_status(bad);
    return {good, bad};
}

}  // namespace

TEST_CASE("audit render: text names finding, evidence, fix and survival", "[audit][render]") {
    std::ostringstream out;
    render_audit_text(out, sample(), false);
    const auto s = out.str();
    CHECK_THAT(s, Contains("bad.test: CRITICAL, score 65/100, 1 error"));
    CHECK_THAT(s, Contains("[ERROR] DEL-PROVIDERS"));
    CHECK_THAT(s, Contains("fix: Add a second DNS provider."));
    CHECK_THAT(s, Contains("loss of a.test: does not survive — no nameserver"));
    CHECK_THAT(s, Contains("[SKIPPED] CONS-ZONE: AXFR refused"));
    CHECK_THAT(s, Contains("[no finding] DEL-PROVIDERS, SRV-UDP"));
    CHECK_THAT(s, Contains("CRITICAL: 2 zone(s) audited, 1 without warnings"));
}

TEST_CASE("audit render: JSON carries exit code and every field", "[audit][render]") {
    const auto j = audit_json(sample());
    CHECK(j["exit_code"] == 2);
    CHECK(j["zones"][1]["findings"][0]["id"] == "DEL-PROVIDERS");
    CHECK(j["zones"][1]["findings"][0]["severity"] == "ERROR");
    CHECK(j["zones"][1]["failover"][0]["survives"] == false);
    CHECK(j["zones"][0]["status"] == "OK");
}

TEST_CASE("audit render: the JSON written zone by zone is the document audit_json builds",
          "[audit][render]") {
    for (const auto& reports : {sample(), std::vector<AuditReport>{}}) {
        std::ostringstream out;
        write_audit_json(out, reports);
        const auto written = nlohmann::json::parse(out.str());
        // Byte for byte what dump(2) prints, and the same values (but the time it was written).
        CHECK(out.str() == written.dump(2) + "\n");
        auto expected = audit_json(reports);
        expected["generated"] = written["generated"];
        CHECK(written == expected);
        CHECK(written["zones"].size() == reports.size());
    }
}

TEST_CASE("audit render: every format names the nswatch version that wrote it, and when",
          "[audit][render]") {
    const std::string stamp = std::string("nswatch ") + kVersion + ", ";
    std::ostringstream text, markdown, html;
    render_audit_text(text, sample(), false);
    render_audit_markdown(markdown, sample());
    render_audit_html(html, sample());
    CHECK_THAT(text.str(), Contains("\n" + stamp));
    CHECK_THAT(markdown.str(), Contains("\n" + stamp));
    CHECK_THAT(html.str(), Contains("<p id=\"version\">" + stamp));
    CHECK(audit_json(sample())["nswatch_version"] == kVersion);
    // The time it was made, UTC, in every format.
    const std::regex utc(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
    CHECK(std::regex_search(text.str(), utc));
    CHECK(std::regex_search(markdown.str(), utc));
    CHECK(std::regex_search(html.str(), utc));
    CHECK(std::regex_match(audit_json(sample())["generated"].get<std::string>(), utc));
    CHECK(audit_json(sample())["zones"][0]["without_findings"].size() == 2);
}

TEST_CASE("audit render: Markdown has a summary table", "[audit][render]") {
    std::ostringstream out;
    render_audit_markdown(out, sample());
    CHECK_THAT(out.str(), Contains("| bad.test | CRITICAL | 65 | 1 error |"));
    CHECK_THAT(out.str(), Contains("### ERROR DEL-PROVIDERS"));
}

TEST_CASE("audit render: the HTML report shows its summary in headless Chromium",
          "[audit][render][chromium]") {
    REQUIRE(std::system("command -v chromium >/dev/null") == 0);
    char path[] = "/tmp/nswatch-audit-XXXXXX.html";
    const int fd = mkstemps(path, 5);
    REQUIRE(fd >= 0);
    close(fd);
    {
        std::ofstream file(path);
        render_audit_html(file, sample());
    }
    const test::ChromiumPage page = test::chromium_dump_dom("file://" + std::string(path));
    std::remove(path);
    const std::string& dom = page.dom;
    INFO(dom);
    REQUIRE(page.exited);
    CHECK(page.exit_code == 0);
    CHECK_THAT(dom, Contains("id=\"summary\""));
    CHECK_THAT(dom, Contains("CRITICAL: 2 zone(s) audited, 1 without warnings"));
    CHECK_THAT(dom, Contains("loss of a.test: does not survive"));
    // Evidence is text, never markup; and the file fetches and runs nothing.
    CHECK_THAT(dom, Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(dom.find("<script") == std::string::npos);
    CHECK(dom.find("http://") == std::string::npos);
}
