// The providers section: who runs which nameservers (globs on NS names), and how to transfer
// zones from them.
#include <cctype>
#include <map>

#include "config/config.hpp"
#include "config/loader_detail.hpp"
#include "config/notify_config.hpp"
#include "config/yaml_fields.hpp"

namespace nswatch::config_detail {

void Loader::read_providers(const Field& field, Config& config) const {
    std::map<std::string, Field> seen;
    for (const auto& item : in_.list(field, "[{name: alpha, patterns: [\"*.alpha-dns.test\"]}]")) {
        MapFields m = in_.map(item, {"name", "patterns", "transfer"});
        ProviderConfig rule;
        const Field& name = in_.require(m, "name", "every provider needs a name");
        rule.name = in_.string(name, "a provider name");
        if (auto [it, inserted] = seen.emplace(rule.name, name); !inserted) {
            in_.fail(name, "duplicate provider '" + rule.name + "' (first at line " +
                               in_.line_of(it->second) + "); list all its patterns in one entry");
        }
        if (const Field* f = m.get("transfer")) {
            config.transfers.push_back({rule.name, config_detail::read_transfer(in_, *f, config)});
        }
        const Field& patterns = in_.require(
            m, "patterns", "a list of globs on nameserver names, e.g. [\"*.alpha-dns.test\"]");
        auto items = in_.list(patterns, "[\"*.alpha-dns.test\", \"ns?.alpha.example\"]");
        if (items.empty()) in_.fail(patterns, "provider '" + rule.name + "' has no patterns");
        for (const auto& p : items) {
            if (p.value.IsScalar() && p.value.Scalar().empty()) {
                in_.fail(p,
                         "empty pattern: it would match nothing; write a glob such as "
                         "\"*.alpha-dns.test\" ('*' for any characters, '?' for one)");
            }
            std::string pattern = in_.string(p, "a glob such as \"*.alpha-dns.test\"");
            if (pattern.back() == '.') pattern.pop_back();
            for (char& c : pattern) {
                auto u = static_cast<unsigned char>(c);
                if (!std::isalnum(u) && c != '-' && c != '_' && c != '.' && c != '*' && c != '?') {
                    in_.fail(p, std::string("character '") + c + "' is not allowed in pattern '" +
                                    p.value.Scalar() +
                                    "' (name characters and the wildcards '*' and '?' only)");
                }
                c = static_cast<char>(std::tolower(u));
            }
            if (pattern.empty()) in_.fail(p, "the pattern '.' matches no nameserver name");
            rule.patterns.push_back(std::move(pattern));
        }
        config.providers.push_back(std::move(rule));
    }
}

}  // namespace nswatch::config_detail
