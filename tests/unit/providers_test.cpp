// Tests for delegation/providers.cpp and delegation/provider_catalogue.cpp: NS names grouped into
// providers.
#include "delegation/providers.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

namespace Catch {
template <>
struct StringMaker<nswatch::ProviderMatchRule> {
    static std::string convert(nswatch::ProviderMatchRule r) {
        return std::string(nswatch::to_string(r));
    }
};
}  // namespace Catch

using nswatch::glob_match;
using nswatch::normalize_ns_name;
using nswatch::ProviderClassifier;
using nswatch::ProviderMatchRule;
using nswatch::ProviderPattern;
using nswatch::registrable_domain;

TEST_CASE("normalize_ns_name: lower case, one trailing dot removed", "[providers]") {
    CHECK(normalize_ns_name("NS1.Example.COM.") == "ns1.example.com");
    CHECK(normalize_ns_name("ns1.example.com") == "ns1.example.com");
    CHECK(normalize_ns_name("") == "");
    CHECK(normalize_ns_name(".") == "");
}

TEST_CASE("glob_match: * and ? without case", "[providers]") {
    CHECK(glob_match("*.alpha-dns.test", "ns1.alpha-dns.test"));
    CHECK(glob_match("*.alpha-dns.test", "a.b.alpha-dns.test"));  // * crosses dots
    CHECK_FALSE(glob_match("*.alpha-dns.test", "alpha-dns.test"));
    CHECK(glob_match("ns?.alpha-dns.test", "NS2.ALPHA-DNS.TEST."));
    CHECK_FALSE(glob_match("ns?.alpha-dns.test", "ns10.alpha-dns.test"));
    CHECK(glob_match("ns*.alpha-dns.test.", "ns10.alpha-dns.test"));
    CHECK(glob_match("*", "anything.at.all"));
    CHECK(glob_match("*a*b*c", "xxaxxbxxc"));
    CHECK_FALSE(glob_match("*a*b*c", "xxaxxcxxb"));
    CHECK_FALSE(glob_match("ns1.alpha-dns.test", "ns1.alpha-dns.testing"));
    CHECK(glob_match("", ""));
    CHECK_FALSE(glob_match("", "x"));
}

TEST_CASE("configured patterns win over the catalogue and the PSL", "[providers]") {
    const ProviderClassifier c({
        {"aws-main", "*.awsdns-*.com"},
        {"alpha", "*.alpha-dns.test"},
        {"alpha-second", "ns1.alpha-dns.test"},  // never reached: the glob above matches first
    });
    const auto m = c.explain("ns-205.awsdns-13.com");
    CHECK(m.provider == "aws-main");
    CHECK(m.rule == ProviderMatchRule::configured);
    CHECK(m.how == "configured pattern *.awsdns-*.com");
    // The .net name does not match the configured glob: the catalogue decides.
    CHECK(c.classify("ns-470.awsdns-32.net") == "route53");
    CHECK(c.classify("ns1.alpha-dns.test") == "alpha");
    CHECK(c.explain("ns1.alpha-dns.test").rule == ProviderMatchRule::configured);
}

TEST_CASE("configured patterns ignore case and trailing dots on both sides", "[providers]") {
    const ProviderClassifier c(std::vector<ProviderPattern>{{"alpha", "*.Alpha-DNS.test."}});
    CHECK(c.classify("NS1.ALPHA-DNS.TEST.") == "alpha");
    CHECK(c.classify("ns2.alpha-dns.test") == "alpha");
}

TEST_CASE("catalogue: every provider with a real-looking NS name", "[providers]") {
    const ProviderClassifier c;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"ns-205.awsdns-13.com", "route53"},
        {"lola.ns.cloudflare.com", "cloudflare"},
        {"ns0004.secondary.cloudflare.com", "cloudflare"},
        {"dns3.p09.nsone.net", "ns1"},
        {"ns4.p34.dynect.net", "dyn"},
        {"ns-cloud-a1.googledomains.com", "google-cloud-dns"},
        {"ns3-09.azure-dns.org", "azure-dns"},
        {"pdns6.ultradns.co.uk", "ultradns"},
        {"pdns109.ultradns.biz", "ultradns"},
        {"ns1-173.akam.net", "akamai"},
        {"ns1.dnsimple.com", "dnsimple"},
        {"ns4.dnsimple-edge.org", "dnsimple"},
        {"ns60.domaincontrol.com", "godaddy"},
        {"ns5.he.net", "he"},
        {"ns0.dnsmadeeasy.com", "dnsmadeeasy"},
        {"ns-142-b.gandi.net", "gandi"},
        {"a.dns.gandi.net", "gandi"},
        {"hydrogen.ns.hetzner.com", "hetzner"},
        {"robotns3.second-ns.com", "hetzner"},
        {"ns5.linode.com", "linode"},
        {"ns1.digitalocean.com", "digitalocean"},
        {"dns2.registrar-servers.com", "namecheap"},
        {"dns10.ovh.net", "ovh"},
        {"ns113.ovh.net", "ovh"},
        {"ns20.ovh.ca", "ovh"},
        {"ns200.anycast.me", "ovh"},
        {"dns4.easydns.info", "easydns"},
        {"ns1045.ui-dns.de", "ionos"},
        {"ns11.constellix.com", "constellix"},
    };
    for (const auto& [name, provider] : cases) {
        INFO(name);
        const auto m = c.explain(name);
        CHECK(m.provider == provider);
        CHECK(m.rule == ProviderMatchRule::catalogue);
        CHECK(m.how.rfind("catalogue: ", 0) == 0);
    }
}

TEST_CASE("catalogue: each entry's own example matches that entry", "[providers]") {
    const ProviderClassifier c;
    for (const auto& e : nswatch::provider_catalogue()) {
        INFO(e.display << " / " << e.example);
        const auto m = c.explain(e.example);
        CHECK(m.provider == std::string(e.provider));
        CHECK(m.how == "catalogue: " + std::string(e.display));
        // Anchored at the end (an invalid regex would already have thrown from explain()).
        CHECK(e.pattern.back() == '$');
    }
}

TEST_CASE("catalogue: Route 53's four TLD variants are one provider", "[providers]") {
    const ProviderClassifier c;
    for (const char* name : {"ns-205.awsdns-13.com", "ns-470.awsdns-32.net",
                             "ns-1220.awsdns-12.org", "ns-1960.awsdns-51.co.uk"}) {
        INFO(name);
        const auto m = c.explain(name);
        CHECK(m.provider == "route53");
        CHECK(m.how == "catalogue: Route 53 (awsdns)");
    }
}

TEST_CASE("catalogue: one provider across its domains and host shapes", "[providers]") {
    const ProviderClassifier c;
    CHECK(c.classify("ns1-01.azure-dns.com") == c.classify("ns4-01.azure-dns.info"));
    CHECK(c.classify("helium.ns.hetzner.de") == c.classify("ns1.first-ns.de"));
    CHECK(c.classify("ns2.dnsimple-edge.net") == c.classify("ns3.dnsimple.com"));
    // A pool number the docs do not list yet is still the same provider, not "dynect.net".
    CHECK(c.classify("ns1.p99.dynect.net") == "dyn");
    CHECK(c.classify("ns1.dynect.net") == "dyn");
    // Cloudflare's primary and secondary names are one provider, told apart in the explanation.
    CHECK(c.explain("ns0123.secondary.cloudflare.com").how ==
          "catalogue: Cloudflare secondary DNS (secondary.cloudflare.com)");
    CHECK(c.explain("bob.ns.cloudflare.com").how == "catalogue: Cloudflare (ns.cloudflare.com)");
}

TEST_CASE("catalogue: look-alike names are not claimed", "[providers]") {
    const ProviderClassifier c;
    CHECK(c.classify("ns1.notawsdns-01.com") == "notawsdns-01.com");
    CHECK(c.classify("ns1.evil-he.net") == "evil-he.net");
    CHECK(c.classify("ns1.mycloudflare.com") == "mycloudflare.com");
    CHECK(c.classify("ns-1.awsdns-01.com.attacker.test") == "attacker.test");
    CHECK(c.explain("ns1.notawsdns-01.com").rule == ProviderMatchRule::registrable_domain);
}

TEST_CASE("catalogue: case and trailing dot do not matter", "[providers]") {
    const ProviderClassifier c;
    CHECK(c.classify("NS-1960.AWSDNS-51.CO.UK.") == "route53");
    CHECK(c.classify("Lola.NS.Cloudflare.com.") == "cloudflare");
}

TEST_CASE("registrable_domain: the PSL fallback", "[providers]") {
    CHECK(registrable_domain("ns1.example.co.uk") == "example.co.uk");
    CHECK(registrable_domain("a.b.example.com") == "example.com");
    CHECK(registrable_domain("example.com") == "example.com");
    SECTION("a TLD missing from the PSL follows the default rule *") {
        CHECK(registrable_domain("ns1.alpha-dns.test") == "alpha-dns.test");
        CHECK(registrable_domain("a.b.c.unknowntld") == "c.unknowntld");
    }
    SECTION("wildcard and exception rules (*.kawasaki.jp, !city.kawasaki.jp)") {
        CHECK(registrable_domain("ns1.foo.bar.kawasaki.jp") == "foo.bar.kawasaki.jp");
        CHECK(registrable_domain("ns1.city.kawasaki.jp") == "city.kawasaki.jp");
    }
    SECTION("no registrable domain: the name is itself a public suffix") {
        CHECK(registrable_domain("co.uk") == "");
        CHECK(registrable_domain("test") == "");
        CHECK(registrable_domain("") == "");
    }
    SECTION("case and trailing dot") {
        CHECK(registrable_domain("NS1.Example.CO.UK.") == "example.co.uk");
    }
}

TEST_CASE("PSL fallback uses the ICANN section only", "[providers]") {
    // akadns.net and github.io are PRIVATE-section suffixes: with them, every host below would be
    // its own "provider". For NS grouping the operator's domain is what counts.
    CHECK(registrable_domain("a1.akadns.net") == "akadns.net");
    CHECK(registrable_domain("a2.akadns.net") == "akadns.net");
    CHECK(registrable_domain("ns1.foo.github.io") == "github.io");
}

TEST_CASE("classifier: PSL fallback and the name itself", "[providers]") {
    const ProviderClassifier c;
    auto m = c.explain("ns1.alpha-dns.test");
    CHECK(m.provider == "alpha-dns.test");
    CHECK(m.rule == ProviderMatchRule::registrable_domain);
    CHECK(m.how == "registrable domain (Public Suffix List, ICANN section)");

    CHECK(c.classify("NS2.Example.CO.UK.") == "example.co.uk");
    CHECK(c.classify("ns1.example.co.uk") == c.classify("ns2.example.co.uk"));

    m = c.explain("co.uk");
    CHECK(m.provider == "co.uk");
    CHECK(m.rule == ProviderMatchRule::whole_name);
    m = c.explain("LOCALHOST.");
    CHECK(m.provider == "localhost");
    CHECK(m.rule == ProviderMatchRule::whole_name);
}
