#include "checks/answers.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace nswatch {

namespace {

std::string lower_dot(std::string n) {
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    if (n.empty() || n.back() != '.') n += '.';
    return n;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

}  // namespace

std::vector<AnswerComparison> compare_answers(const std::vector<ProbeResult>& results) {
    using Question = std::pair<std::string, uint16_t>;
    struct Seen {
        std::map<std::pair<std::vector<std::string>, int>, AnswerVariant> variants;
        std::map<std::string, std::set<uint32_t>> ttls_by_record_set;  // per provider
        size_t unanswered = 0;
    };
    std::map<Question, Seen> by_question;
    for (const auto& r : results) {
        const Question q{lower_dot(r.query.name), r.query.type};
        Seen& seen = by_question[q];
        if (r.outcome != Outcome::ok && r.outcome != Outcome::nxdomain) {
            ++seen.unanswered;
            continue;
        }
        std::vector<std::string> records;
        for (const auto& rec : r.answer) {
            // CNAMEs at the name count as the answer too: a provider serving a CNAME where
            // another serves an A record is a difference.
            if (lower_dot(rec.owner) != q.first) continue;
            if (rec.type != q.second && rec.type != 5) continue;
            records.push_back(rec.owner + " " + std::to_string(rec.type) + " " + rec.rdata);
            seen.ttls_by_record_set[r.target.provider].insert(rec.ttl);
        }
        std::sort(records.begin(), records.end());
        records.erase(std::unique(records.begin(), records.end()), records.end());
        AnswerVariant& v = seen.variants[{records, r.rcode}];
        v.records = records;
        v.rcode = r.rcode;
        v.providers.push_back(r.target.provider);
        v.servers.push_back(r.target.nameserver + " [" + r.target.address + "]");
    }

    std::vector<AnswerComparison> out;
    for (auto& [q, seen] : by_question) {
        AnswerComparison c;
        c.name = q.first;
        c.type = q.second;
        c.unanswered = seen.unanswered;
        for (auto& [key, v] : seen.variants) {
            std::sort(v.providers.begin(), v.providers.end());
            v.providers.erase(std::unique(v.providers.begin(), v.providers.end()),
                              v.providers.end());
            std::sort(v.servers.begin(), v.servers.end());
            c.variants.push_back(std::move(v));
        }
        std::stable_sort(c.variants.begin(), c.variants.end(),
                         [](const AnswerVariant& a, const AnswerVariant& b) {
                             return a.servers.size() > b.servers.size();
                         });
        c.consistent = c.variants.size() <= 1;
        if (!c.consistent) {
            std::map<std::string, size_t> count;
            for (const auto& v : c.variants) {
                for (const auto& rec : v.records) ++count[rec];
            }
            for (const auto& [rec, n] : count) {
                if (n != c.variants.size()) c.differing.push_back(rec);
            }
        }
        std::set<uint32_t> all_ttls;
        for (const auto& [provider, ttls] : seen.ttls_by_record_set)
            all_ttls.insert(ttls.begin(), ttls.end());
        if (c.consistent && all_ttls.size() > 1) {
            c.ttl_differs = true;
            std::string note = c.name + " type " + std::to_string(c.type) + ":";
            for (const auto& [provider, ttls] : seen.ttls_by_record_set) {
                std::vector<std::string> t;
                for (auto v : ttls) t.push_back(std::to_string(v));
                note += " TTL " + join(t, "/") + " at " + provider + ";";
            }
            note.pop_back();
            c.ttl_notes.push_back(note);
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<std::string> describe_differences(const std::vector<AnswerComparison>& comparisons) {
    std::vector<std::string> out;
    for (const auto& c : comparisons) {
        if (c.consistent) continue;
        std::string s = c.name + " type " + std::to_string(c.type) + " differs:";
        for (const auto& v : c.variants) {
            s += " [" + join(v.providers) + "] " +
                 (v.records.empty() ? std::string(v.rcode == 3 ? "NXDOMAIN" : "no records")
                                    : join(v.records, " | ")) +
                 ";";
        }
        s.pop_back();
        out.push_back(s);
    }
    return out;
}

}  // namespace nswatch
