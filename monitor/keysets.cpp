#include "monitor/keysets.hpp"

#include <map>
#include <optional>
#include <set>

#include "dns/key_id.hpp"
#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

/// The key of each record of each variant ("owner TYPE rdata", answer_record_text); nullopt when
/// one does not name a key.
std::optional<std::vector<std::set<std::string>>> variant_keys(const AnswerComparison& c) {
    std::vector<std::set<std::string>> keys(c.variants.size());
    for (size_t i = 0; i < c.variants.size(); ++i) {
        for (const auto& rec : c.variants[i].records) {
            const size_t type_start = rec.find(' ');
            const size_t rdata_start =
                type_start == std::string::npos ? type_start : rec.find(' ', type_start + 1);
            if (rdata_start == std::string::npos) return std::nullopt;
            const auto id = key_id(c.type, rec.substr(rdata_start + 1));
            if (!id) return std::nullopt;
            keys[i].insert(*id);
        }
    }
    return keys;
}

bool told_by_key(const AnswerComparison& c) {
    return names_a_key(c.type) && variant_keys(c).has_value();
}

}  // namespace

std::vector<ProviderKeyset> provider_keysets(const std::vector<AnswerComparison>& comparisons) {
    std::vector<ProviderKeyset> out;
    for (const auto& c : comparisons) {
        if (!names_a_key(c.type)) continue;
        const auto keys = variant_keys(c);
        if (!keys) continue;
        std::map<std::string, std::set<std::string>> served_by;  // key -> providers
        for (size_t i = 0; i < c.variants.size(); ++i) {
            for (const auto& k : (*keys)[i]) {
                served_by[k].insert(c.variants[i].providers.begin(), c.variants[i].providers.end());
            }
        }
        // A provider whose addresses disagree among themselves lacks what any of them lacks.
        std::map<std::string, std::set<std::string>> has, lacks;  // provider -> keys
        for (size_t i = 0; i < c.variants.size(); ++i) {
            for (const auto& p : c.variants[i].providers) {
                has[p].insert((*keys)[i].begin(), (*keys)[i].end());
                for (const auto& [k, by] : served_by) {
                    if ((*keys)[i].count(k) == 0) lacks[p].insert(k);
                }
            }
        }
        for (const auto& [provider, own] : has) {
            ProviderKeyset k;
            k.provider = provider;
            k.name = c.name;
            k.type = c.type;
            k.keys.assign(own.begin(), own.end());
            for (const auto& key : lacks[provider]) {
                std::set<std::string> others = served_by[key];
                others.erase(provider);
                k.missing.push_back({key, {others.begin(), others.end()}});
            }
            out.push_back(std::move(k));
        }
    }
    return out;
}

std::vector<AnswerComparison> keyset_free_comparisons(
    const std::vector<AnswerComparison>& comparisons) {
    std::vector<AnswerComparison> out;
    out.reserve(comparisons.size());
    for (const auto& c : comparisons) {
        if (!told_by_key(c)) out.push_back(c);
    }
    return out;
}

std::string describe(const ProviderKeyset& k) {
    if (k.missing.empty()) return {};
    std::vector<std::string> parts;
    for (const auto& m : k.missing) {
        parts.push_back(m.key + (m.served_by.empty() ? std::string()
                                                     : " (served by " + join(m.served_by) + ")"));
    }
    return "[" + k.provider + "] " + rr_type_name(k.type) + " lacks " + join(parts);
}

}  // namespace nswatch
