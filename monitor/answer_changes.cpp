#include "monitor/answer_changes.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

// What one provider answered to one question: the set of distinct (rcode, records) it gave.
using ProviderAnswer = std::set<std::pair<int, std::vector<std::string>>>;

std::map<std::string, ProviderAnswer> by_provider(const AnswerComparison& c) {
    std::map<std::string, ProviderAnswer> out;
    for (const auto& v : c.variants) {
        for (const auto& p : v.providers) out[p].insert({v.rcode, v.records});
    }
    return out;
}

// The flat view stored and shown: the records of every distinct answer, and the first rcode.
void flatten(const ProviderAnswer& a, std::vector<std::string>& records, int& rcode) {
    std::set<std::string> all;
    for (const auto& [rc, recs] : a) all.insert(recs.begin(), recs.end());
    records.assign(all.begin(), all.end());
    rcode = a.empty() ? 0 : a.begin()->first;
}

std::string records_text(const std::vector<std::string>& records, int rcode) {
    if (rcode == 3) return "NXDOMAIN";
    if (records.empty()) return rcode == 0 ? "no records" : "rcode " + std::to_string(rcode);
    std::string out;
    for (const auto& r : records) {
        if (!out.empty()) out += ", ";
        out += r;
    }
    return out;
}

}  // namespace

std::vector<AnswerChange> answer_changes(const std::vector<AnswerComparison>& before,
                                         const std::vector<AnswerComparison>& after) {
    std::map<std::pair<std::string, uint16_t>, const AnswerComparison*> earlier;
    for (const auto& c : before) earlier[{c.name, c.type}] = &c;
    std::vector<AnswerChange> out;
    for (const auto& c : after) {
        auto it = earlier.find({c.name, c.type});
        if (it == earlier.end()) continue;
        const auto then = by_provider(*it->second);
        for (const auto& [provider, now_answer] : by_provider(c)) {
            auto was = then.find(provider);
            if (was == then.end() || was->second == now_answer) continue;
            AnswerChange ch;
            ch.name = c.name;
            ch.type = c.type;
            ch.provider = provider;
            flatten(was->second, ch.before, ch.rcode_before);
            flatten(now_answer, ch.after, ch.rcode_after);
            out.push_back(std::move(ch));
        }
    }
    std::sort(out.begin(), out.end(), [](const AnswerChange& a, const AnswerChange& b) {
        return std::tie(a.name, a.type, a.provider) < std::tie(b.name, b.type, b.provider);
    });
    return out;
}

std::string describe(const AnswerChange& c) {
    return c.name + " " + rr_type_name(c.type) + " at " + c.provider + ": " +
           records_text(c.before, c.rcode_before) + " -> " + records_text(c.after, c.rcode_after);
}

}  // namespace nswatch
