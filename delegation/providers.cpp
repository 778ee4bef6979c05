// IMPLEMENTATION NOTES
// Rules, first match wins:
//   1. configured patterns, in the order given (glob: `*` any run, dots included; `?` one char);
//   2. the built-in catalogue (provider_catalogue.cpp), regexes compiled once per process;
//   3. the registrable domain of the NS name by the Public Suffix List;
//   4. the name itself, when it has no registrable domain (it is a public suffix, or a single label
//      like "localhost" under the PSL default rule `*`).
// Rule 3 uses only the ICANN section of the PSL, not psl_registrable_domain(), which also applies
// the PRIVATE section. Private entries are suffixes under which a company's customers get names
// (akadns.net, cloudns.org, github.io): with them, a1.akadns.net and a2.akadns.net would be two
// "providers", and a zone served by one operator would look diverse. For a readiness audit a false
// split is the dangerous error (it hides the single point of failure); a false merge only causes a
// finding the operator can silence with a configured pattern. The walk tries the suffixes of the
// name from the longest; the first that is an ICANN public suffix (wildcards and exceptions are
// libpsl's) makes the registrable domain that suffix plus one label. For TLDs not in the list the
// PSL default rule `*` makes the last label a suffix: ns1.alpha-dns.test -> alpha-dns.test.
// The PSL context is loaded once per process: psl_latest(NULL) picks the newer of the system file
// (/usr/share/publicsuffix, Debian's publicsuffix package) and libpsl's built-in copy; if that
// fails psl_builtin() is used. It is freed at exit (the built-in context is static and never
// freed).
#include "delegation/providers.hpp"

#include <libpsl.h>

#include <memory>
#include <utility>

// GCC 12-14 report a false -Wmaybe-uninitialized inside <regex> when built with -fsanitize=address
// (https://gcc.gnu.org/bugzilla/show_bug.cgi?id=105616); NSWATCH_SANITIZE builds use -Werror.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop

namespace nswatch {

namespace {

char lower_ascii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Owns the process-wide PSL context.
class PslContext {
  public:
    static const psl_ctx_t* get() {
        static const PslContext instance;
        return instance.ctx_;
    }

    PslContext(const PslContext&) = delete;
    PslContext& operator=(const PslContext&) = delete;

  private:
    PslContext() : owned_(psl_latest(nullptr), &psl_free) {
        ctx_ = owned_ ? owned_.get() : psl_builtin();
        if (ctx_ == psl_builtin()) {
            owned_.release();  // psl_latest may hand back the static built-in context: not ours
        }
    }

    std::unique_ptr<psl_ctx_t, void (*)(psl_ctx_t*)> owned_;  ///< loaded context, freed at exit
    const psl_ctx_t* ctx_ = nullptr;  ///< the context in use (owned_ or the built-in one)
};

/// A catalogue entry with its compiled regex.
struct CompiledEntry {
    const CatalogueEntry* entry;  ///< the data row
    std::regex re;                ///< entry->pattern, compiled
};

const std::vector<CompiledEntry>& compiled_catalogue() {
    static const std::vector<CompiledEntry> compiled = [] {
        std::vector<CompiledEntry> out;
        for (const CatalogueEntry& e : provider_catalogue()) {
            out.push_back({&e, std::regex(std::string(e.pattern),
                                          std::regex::ECMAScript | std::regex::optimize)});
        }
        return out;
    }();
    return compiled;
}

bool is_icann_public_suffix(const std::string& suffix) {
    const psl_ctx_t* ctx = PslContext::get();
    return ctx != nullptr && psl_is_public_suffix2(ctx, suffix.c_str(), PSL_TYPE_ICANN) != 0;
}

}  // namespace

std::string_view to_string(ProviderMatchRule r) {
    switch (r) {
        case ProviderMatchRule::configured:
            return "configured";
        case ProviderMatchRule::catalogue:
            return "catalogue";
        case ProviderMatchRule::registrable_domain:
            return "registrable_domain";
        case ProviderMatchRule::whole_name:
            return "whole_name";
    }
    return "?";
}

std::string normalize_ns_name(std::string_view name) {
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    std::string out(name);
    for (char& c : out) {
        c = lower_ascii(c);
    }
    return out;
}

bool glob_match(std::string_view glob, std::string_view name) {
    const std::string g = normalize_ns_name(glob);
    const std::string n = normalize_ns_name(name);
    // Greedy match with one backtrack point (the last `*`): linear in practice, no recursion.
    size_t gi = 0;
    size_t ni = 0;
    size_t star = std::string::npos;
    size_t star_ni = 0;
    while (ni < n.size()) {
        if (gi < g.size() && (g[gi] == '?' || g[gi] == n[ni])) {
            ++gi;
            ++ni;
        } else if (gi < g.size() && g[gi] == '*') {
            star = gi++;
            star_ni = ni;
        } else if (star != std::string::npos) {
            gi = star + 1;
            ni = ++star_ni;
        } else {
            return false;
        }
    }
    while (gi < g.size() && g[gi] == '*') {
        ++gi;
    }
    return gi == g.size();
}

std::string registrable_domain(std::string_view name) {
    const std::string n = normalize_ns_name(name);
    if (n.empty()) {
        return {};
    }
    // Suffix starts from the longest (the whole name) to the last label.
    size_t previous = std::string::npos;  // start of the label before `start`
    size_t start = 0;
    while (true) {
        if (is_icann_public_suffix(n.substr(start))) {
            return previous == std::string::npos ? std::string() : n.substr(previous);
        }
        const size_t dot = n.find('.', start);
        if (dot == std::string::npos) {
            return {};  // unreachable with the `*` rule; kept so a bad context cannot loop
        }
        previous = start;
        start = dot + 1;
    }
}

ProviderClassifier::ProviderClassifier(std::vector<ProviderPattern> configured)
    : configured_(std::move(configured)) {
    for (ProviderPattern& p : configured_) {
        p.glob = normalize_ns_name(p.glob);
    }
}

std::string ProviderClassifier::classify(std::string_view ns_name) const {
    return explain(ns_name).provider;
}

ProviderMatch ProviderClassifier::explain(std::string_view ns_name) const {
    const std::string n = normalize_ns_name(ns_name);
    for (const ProviderPattern& p : configured_) {
        if (glob_match(p.glob, n)) {
            return {p.provider, ProviderMatchRule::configured, "configured pattern " + p.glob};
        }
    }
    for (const CompiledEntry& c : compiled_catalogue()) {
        if (std::regex_search(n, c.re)) {
            return {std::string(c.entry->provider), ProviderMatchRule::catalogue,
                    "catalogue: " + std::string(c.entry->display)};
        }
    }
    std::string domain = registrable_domain(n);
    if (!domain.empty()) {
        return {std::move(domain), ProviderMatchRule::registrable_domain,
                "registrable domain (Public Suffix List, ICANN section)"};
    }
    return {n, ProviderMatchRule::whole_name,
            "the name itself (no registrable domain under the PSL)"};
}

}  // namespace nswatch
