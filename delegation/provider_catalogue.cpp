// IMPLEMENTATION NOTES
// The built-in catalogue of managed DNS providers, matched after configured patterns and before the
// Public Suffix List fallback (providers.cpp). Each pattern is an anchored ECMAScript regex over
// the normalised NS name (lower case, no trailing dot).
//
// Why whole domains and not only the documented host shapes: a pattern covers every name under the
// provider's own domains ("(^|\.)dynect\.net$", not only "ns1.p31.dynect.net"). If a pattern only
// knew today's host shape, a new pool number would fall through to the PSL fallback and come out as
// a second provider ("dynect.net" next to "dyn"): exactly the false provider diversity that
// DEL-PROVIDERS must not be fooled by. The catalogue earns its keep for providers spread over
// several registrable domains (Route 53's awsdns-NN.{com,net,org,co.uk}, Azure, UltraDNS, DNSimple,
// Hetzner, OVH, IONOS, Constellix, easyDNS), which the PSL fallback would split into many
// providers, and it gives single-domain providers a stable, readable name.
//
// A provider that runs NS names under several domains and is NOT listed here is split by the
// fallback; name it with a configured pattern (ProviderPattern) until it is added.
//
// Each entry says what confirmed its NS names (looked up in public documentation and code when this
// file was written). "takeover list" = github.com/indianajson/can-i-take-over-dns README (a list of
// DNS providers with their NS fingerprints). Entries are checked in order; more specific first.
#include "delegation/providers.hpp"

namespace nswatch {

namespace {

constexpr CatalogueEntry kCatalogue[] = {
    // Amazon Route 53: four names per hosted zone, one per TLD. AWS Security Hub user guide (ASFF
    // AwsRoute53HostedZone example: ns-470.awsdns-32.net, ns-1220.awsdns-12.org,
    // ns-205.awsdns-13.com, ns-1960.awsdns-51.co.uk); takeover list.
    {"route53", "Route 53 (awsdns)", R"((^|\.)awsdns-[0-9]+\.(com|net|org|co\.uk)$)",
     "ns-1960.awsdns-51.co.uk"},
    // Cloudflare secondary DNS: Cloudflare developer docs (secondary setup: names "follow a format
    // like ns0123.secondary.cloudflare.com"). Before the general cloudflare.com entry.
    {"cloudflare", "Cloudflare secondary DNS (secondary.cloudflare.com)",
     R"(\.secondary\.cloudflare\.com$)", "ns0123.secondary.cloudflare.com"},
    // Cloudflare: takeover list (*.ns.cloudflare.com); Cloudflare API zone example
    // ("bob.ns.cloudflare.com", "lola.ns.cloudflare.com"); indianajson/cloudflare-nameservers.
    {"cloudflare", "Cloudflare (ns.cloudflare.com)", R"((^|\.)cloudflare\.com$)",
     "lola.ns.cloudflare.com"},
    // NS1 (IBM NS1 Connect): IBM docs "Nameserver assignments" (dns[1-4].p[01-10].nsone.net).
    {"ns1", "NS1 (nsone.net)", R"((^|\.)nsone\.net$)", "dns1.p06.nsone.net"},
    // Dyn / Oracle: NS sets printed in the pycares/aiodns README (amazon.com ns1.p31.dynect.net,
    // github.com ns1.p16.dynect.net, twitter.com ns1.p34.dynect.net).
    {"dyn", "Dyn / Oracle (dynect.net)", R"((^|\.)dynect\.net$)", "ns1.p31.dynect.net"},
    // Google Cloud DNS: takeover list (ns-cloud-**.googledomains.com); zone files with
    // ns-cloud-e1..e4.googledomains.com.
    {"google-cloud-dns", "Google Cloud DNS (googledomains.com)", R"((^|\.)googledomains\.com$)",
     "ns-cloud-e1.googledomains.com"},
    // Azure DNS: takeover list (ns1-**.azure-dns.com, ns2-**.azure-dns.net, ns3-**.azure-dns.org,
    // ns4-**.azure-dns.info).
    {"azure-dns", "Azure DNS (azure-dns)", R"((^|\.)azure-dns\.(com|net|org|info)$)",
     "ns1-01.azure-dns.com"},
    // UltraDNS / Vercara: pycares/aiodns README (amazon.com: pdns1.ultradns.net,
    // pdns6.ultradns.co.uk); NS tests in public code also name pdns3.ultradns.org,
    // pdns5.ultradns.info, pdns109.ultradns.com, pdns109.ultradns.biz.
    {"ultradns", "UltraDNS / Vercara (ultradns)",
     R"((^|\.)ultradns\.(net|com|org|biz|info|co\.uk)$)", "pdns1.ultradns.net"},
    // Akamai Edge DNS: NS sets in public notes and code (mit.edu: usw2.akam.net,
    // ns1-173.akam.net; bnz.co.nz: a1-97.akam.net). akamaiedge.net holds Akamai's CDN edge host
    // names, not NS names: not listed.
    {"akamai", "Akamai Edge DNS (akam.net)", R"((^|\.)akam\.net$)", "a1-64.akam.net"},
    // DNSimple: DNSimple support article (ns1.dnsimple.com, ns2.dnsimple-edge.net,
    // ns3.dnsimple.com, ns4.dnsimple-edge.org); public NS tests also name dnsimple-edge.com/.io.
    {"dnsimple", "DNSimple (dnsimple, dnsimple-edge)",
     R"((^|\.)(dnsimple\.com|dnsimple-edge\.(com|net|org|io))$)", "ns2.dnsimple-edge.net"},
    // GoDaddy: many public READMEs naming GoDaddy's default NS (ns59.domaincontrol.com, ...).
    {"godaddy", "GoDaddy (domaincontrol.com)", R"((^|\.)domaincontrol\.com$)",
     "ns59.domaincontrol.com"},
    // Hurricane Electric: takeover list (ns1.he.net .. ns5.he.net).
    {"he", "Hurricane Electric (he.net)", R"((^|\.)he\.net$)", "ns2.he.net"},
    // DNS Made Easy: takeover list (ns**.dnsmadeeasy.com).
    {"dnsmadeeasy", "DNS Made Easy (dnsmadeeasy.com)", R"((^|\.)dnsmadeeasy\.com$)",
     "ns10.dnsmadeeasy.com"},
    // Gandi: LiveDNS names in public dig output (ns-142-b.gandi.net, ns-161-a.gandi.net); the older
    // a.dns.gandi.net .. c.dns.gandi.net in the takeover list.
    {"gandi", "Gandi (gandi.net)", R"((^|\.)gandi\.net$)", "ns-161-a.gandi.net"},
    // Hetzner: DNS Console NS in public configs (hydrogen.ns.hetzner.com, oxygen.ns.hetzner.com,
    // helium.ns.hetzner.de); Robot DNS (ns1.first-ns.de, robotns2.second-ns.de,
    // robotns3.second-ns.com, ns1.your-server.de) from public NS-classification tests.
    {"hetzner", "Hetzner (ns.hetzner)",
     R"((^|\.)(hetzner\.(com|de)|first-ns\.de|second-ns\.(de|com)|your-server\.de)$)",
     "helium.ns.hetzner.de"},
    // Linode (Akamai Connected Cloud, still its own DNS): takeover list (ns1.linode.com,
    // ns2.linode.com); public tests name ns5.linode.com.
    {"linode", "Linode (linode.com)", R"((^|\.)linode\.com$)", "ns1.linode.com"},
    // DigitalOcean: takeover list (ns1..ns3.digitalocean.com).
    {"digitalocean", "DigitalOcean (digitalocean.com)", R"((^|\.)digitalocean\.com$)",
     "ns3.digitalocean.com"},
    // Namecheap: public READMEs and WHOIS samples (dns1.registrar-servers.com,
    // dns2.registrar-servers.com; FreeDNS freedns1.registrar-servers.com).
    {"namecheap", "Namecheap (registrar-servers.com)", R"((^|\.)registrar-servers\.com$)",
     "dns1.registrar-servers.com"},
    // OVHcloud: OVHcloud guides ("nsXX.ovh.net and dnsXX.ovh.net", "nsXX.ovh.ca and dnsXX.ovh.ca",
    // "ns200.anycast.me and dns200.anycast.me" with the DNS anycast option; IP table for
    // dns.ovh.net, ns.ovh.net, dns10..dns113.ovh.net).
    {"ovh", "OVHcloud (ovh.net, anycast.me)", R"((^|\.)(ovh\.net|ovh\.ca|anycast\.me)$)",
     "dns200.anycast.me"},
    // easyDNS: takeover list (dns1.easydns.com, dns2.easydns.net, dns3.easydns.org,
    // dns4.easydns.info).
    {"easydns", "easyDNS (easydns)", R"((^|\.)easydns\.(com|net|org|info)$)", "dns2.easydns.net"},
    // IONOS: public NS-classification tests (ns1045.ui-dns.com, .de, .org, .biz: one set).
    {"ionos", "IONOS (ui-dns)", R"((^|\.)ui-dns\.(com|de|org|biz)$)", "ns1045.ui-dns.biz"},
    // Constellix: public NS-classification tests (ns11.constellix.com, ns41.constellix.net).
    {"constellix", "Constellix (constellix)", R"((^|\.)constellix\.(com|net)$)",
     "ns41.constellix.net"},
};

}  // namespace

std::span<const CatalogueEntry> provider_catalogue() {
    return kCatalogue;
}

}  // namespace nswatch
