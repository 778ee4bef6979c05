// NET-ASN on hand-built evidence: nameserver addresses and the origin ASNs found for them.
#include <catch2/catch.hpp>

#include "audit/rules.hpp"

using namespace nswatch;

namespace {

AuditThresholds with_source() {
    AuditThresholds t;
    t.asn_zone = "asn.test";
    return t;
}

NameserverEvidence ns(const std::string& name, const std::string& provider,
                      std::vector<std::string> addresses) {
    NameserverEvidence n;
    n.name = name;
    n.provider = provider;
    n.addresses = std::move(addresses);
    n.in_parent = n.in_child = true;
    return n;
}

/// Two providers, two NS each; a.test's addresses in AS64501, b.test's in AS64502.
AuditEvidence two_networks() {
    AuditEvidence e;
    e.zone = "ex.test";
    e.parent_zone = "test";
    e.nameservers = {
        ns("ns1.a.test", "a.test", {"10.1.0.1"}), ns("ns2.a.test", "a.test", {"10.1.1.1"}),
        ns("ns1.b.test", "b.test", {"10.2.0.1"}), ns("ns2.b.test", "b.test", {"10.2.1.1"})};
    e.asn["10.1.0.1"] = {{64501}, "10.1.0.0/24", ""};
    e.asn["10.1.1.1"] = {{64501}, "10.1.1.0/24", ""};
    e.asn["10.2.0.1"] = {{64502}, "10.2.0.0/24", ""};
    e.asn["10.2.1.1"] = {{64502}, "10.2.1.0/24", ""};
    return e;
}

struct Judged {
    std::vector<AuditFinding> findings;
    std::vector<AuditSkip> skipped;
};

Judged judge(const AuditEvidence& e, const AuditThresholds& t = with_source()) {
    Judged j;
    j.findings = audit_net_asn(e, t, j.skipped);
    return j;
}

bool mentions(const AuditFinding& f, const std::string& text) {
    for (const auto& line : f.evidence) {
        if (line.find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("NET-ASN: not configured, the check is skipped with a note", "[audit][asn]") {
    const auto j = judge(two_networks(), AuditThresholds{});
    CHECK(j.findings.empty());
    REQUIRE(j.skipped.size() == 1);
    CHECK(j.skipped[0].id == "NET-ASN");
    CHECK_THAT(j.skipped[0].reason, Catch::Contains("audit.asn_zone"));
}

TEST_CASE("NET-ASN: providers in different ASNs pass", "[audit][asn]") {
    const auto j = judge(two_networks());
    CHECK(j.findings.empty());
    CHECK(j.skipped.empty());
}

TEST_CASE("NET-ASN: every provider in one ASN is an ERROR", "[audit][asn]") {
    auto e = two_networks();
    for (auto& [address, lookup] : e.asn) lookup.asns = {64510};
    const auto j = judge(e);
    REQUIRE(j.findings.size() == 1);
    const auto& f = j.findings[0];
    CHECK(f.id == "NET-ASN");
    CHECK(f.severity == AuditSeverity::error);
    CHECK_THAT(f.reference, Catch::Contains("CONNECTIVITY03"));
    CHECK_FALSE(f.advice.empty());
    CHECK(mentions(f, "all 4 IPv4 addresses in AS64510 (provider(s) a.test, b.test)"));
    CHECK(mentions(f, "ns1.b.test (10.2.0.1): AS64510 10.2.0.0/24"));
}

TEST_CASE("NET-ASN: one provider, all in one ASN, is a WARNING", "[audit][asn]") {
    auto e = two_networks();
    e.nameservers.resize(2);  // a.test only
    const auto j = judge(e);
    REQUIRE(j.findings.size() == 1);
    CHECK(j.findings[0].severity == AuditSeverity::warning);
    CHECK(mentions(j.findings[0], "all 2 IPv4 addresses in AS64501 (provider(s) a.test)"));
}

TEST_CASE("NET-ASN: a multi-origin prefix shared by all addresses counts", "[audit][asn]") {
    auto e = two_networks();
    e.asn["10.1.0.1"].asns = {64501, 64510};
    e.asn["10.1.1.1"].asns = {64510};
    e.asn["10.2.0.1"].asns = {64502, 64510};
    e.asn["10.2.1.1"].asns = {64510, 64520};
    auto j = judge(e);
    REQUIRE(j.findings.size() == 1);
    CHECK(mentions(j.findings[0], "all 4 IPv4 addresses in AS64510"));

    e.asn["10.2.1.1"].asns = {64520};
    CHECK(judge(e).findings.empty());
}

TEST_CASE("NET-ASN: judged per family, a single address is DEL-NSCOUNT's", "[audit][asn]") {
    auto e = two_networks();
    // IPv6: every provider in AS64510, while IPv4 is spread out.
    e.nameservers[0].addresses.push_back("2001:db8:1::1");
    e.nameservers[2].addresses.push_back("2001:db8:2::1");
    e.asn["2001:db8:1::1"] = {{64510}, "2001:db8:1::/48", ""};
    e.asn["2001:db8:2::1"] = {{64510}, "2001:db8:2::/48", ""};
    auto j = judge(e);
    REQUIRE(j.findings.size() == 1);
    CHECK(j.findings[0].severity == AuditSeverity::error);
    CHECK(mentions(j.findings[0], "all 2 IPv6 addresses in AS64510"));
    CHECK_FALSE(mentions(j.findings[0], "IPv4 addresses"));

    AuditEvidence one;
    one.zone = "one.test";
    one.nameservers = {ns("ns1.a.test", "a.test", {"10.1.0.1"})};
    one.asn["10.1.0.1"] = {{64501}, "", ""};
    CHECK(judge(one).findings.empty());
}

TEST_CASE("NET-ASN: names only in the child do not count", "[audit][asn]") {
    auto e = two_networks();
    for (auto& [address, lookup] : e.asn) lookup.asns = {64510};
    e.nameservers[2].in_parent = e.nameservers[3].in_parent = false;
    const auto j = judge(e);
    REQUIRE(j.findings.size() == 1);
    CHECK(j.findings[0].severity == AuditSeverity::warning);  // only a.test is delegated
}

TEST_CASE("NET-ASN: an address without ASN skips the check, naming it", "[audit][asn]") {
    auto e = two_networks();
    e.asn["10.2.1.1"] = {{}, "", "1.1.2.10.asn.test does not exist (NXDOMAIN)"};
    e.asn.erase("10.1.1.1");
    const auto j = judge(e);
    CHECK(j.findings.empty());
    REQUIRE(j.skipped.size() == 1);
    CHECK_THAT(j.skipped[0].reason,
               Catch::Contains("ns2.b.test (10.2.1.1): 1.1.2.10.asn.test does not exist"));
    CHECK_THAT(j.skipped[0].reason, Catch::Contains("ns2.a.test (10.1.1.1): not looked up"));
}
