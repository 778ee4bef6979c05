// Grouping nameservers into providers, for DEL-PROVIDERS, DEL-BALANCE and the failover simulation
// (docs/AUDIT-CHECKS.md). Order of rules: configured patterns, then the built-in catalogue of
// managed DNS providers (provider_catalogue.cpp), then the registrable domain from the Public
// Suffix List. Pure: no sockets, no clock; the PSL data file is read once per process.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nswatch {

/// A user-configured rule: NS names matching `glob` belong to `provider`.
struct ProviderPattern {
    std::string provider;  ///< provider name to report
    std::string glob;  ///< `*` any run of characters (dots included), `?` one character; no case
};

/// Which rule named the provider.
enum class ProviderMatchRule {
    configured,          ///< a configured ProviderPattern matched
    catalogue,           ///< a built-in catalogue entry matched
    registrable_domain,  ///< the registrable domain from the Public Suffix List (ICANN section)
    whole_name,          ///< no registrable domain (the name is itself a public suffix): the name
};

std::string_view to_string(ProviderMatchRule r);

/// The provider of one NS name and how it was decided.
struct ProviderMatch {
    std::string provider;                                    ///< provider name
    ProviderMatchRule rule = ProviderMatchRule::whole_name;  ///< the rule that decided
    std::string how;  ///< one phrase, e.g. "catalogue: Route 53 (awsdns)"
};

/// One entry of the built-in catalogue (data in provider_catalogue.cpp).
struct CatalogueEntry {
    std::string_view provider;  ///< provider name reported, e.g. "route53"
    std::string_view display;   ///< human name for explanations, e.g. "Route 53 (awsdns)"
    std::string_view pattern;   ///< ECMAScript regex over the normalised NS name, anchored with $
    std::string_view example;   ///< a real-looking NS name the pattern must match (tested)
};

/// The built-in catalogue, in match order (first match wins).
std::span<const CatalogueEntry> provider_catalogue();

/// Lower-case ASCII letters and strip one trailing dot: "NS1.Example.COM." -> "ns1.example.com".
std::string normalize_ns_name(std::string_view name);

/// Case-insensitive glob match over the whole name (trailing dots ignored on both sides).
bool glob_match(std::string_view glob, std::string_view name);

/// The registrable domain of `name` by the ICANN section of the Public Suffix List, or an empty
/// string when there is none (the name is itself a public suffix, or empty). Unknown TLDs follow
/// the PSL default rule `*`: "ns1.alpha-dns.test" -> "alpha-dns.test".
std::string registrable_domain(std::string_view name);

/// Maps NS names to provider names. Immutable after construction; safe to share between threads.
class ProviderClassifier {
  public:
    explicit ProviderClassifier(std::vector<ProviderPattern> configured = {});

    /// The provider name for `ns_name` (case and a trailing dot ignored).
    std::string classify(std::string_view ns_name) const;

    /// The provider name and the rule that decided it.
    ProviderMatch explain(std::string_view ns_name) const;

  private:
    std::vector<ProviderPattern> configured_;  ///< globs normalised (lower case, no trailing dot)
};

}  // namespace nswatch
