#include "monitor/answers.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "dns/dns_name.hpp"
#include "dns/rr_types.hpp"

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

// KeptAnswers' packing: unsigned LEB128 numbers and length-prefixed strings.
void put_number(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

void put_string(std::string& out, const std::string& s) {
    put_number(out, s.size());
    out += s;
}

// A record usually starts with the question's name ("www.shop.test. 1 192.0.2.1"): that prefix
// is written as one flag bit instead of the name again.
void put_record(std::string& out, const std::string& rec, const std::string& name) {
    const bool prefixed = !name.empty() && rec.compare(0, name.size(), name) == 0;
    const size_t rest = rec.size() - (prefixed ? name.size() : 0);
    put_number(out, rest * 2 + (prefixed ? 1 : 0));
    out.append(rec, rec.size() - rest, rest);
}

void put_strings(std::string& out, const std::vector<std::string>& v) {
    put_number(out, v.size());
    for (const auto& s : v) put_string(out, s);
}

struct Reader {
    const std::string& in;
    size_t at = 0;

    uint64_t number() {
        uint64_t v = 0;
        for (int shift = 0;; shift += 7) {
            const auto b = static_cast<unsigned char>(in[at++]);
            v |= static_cast<uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return v;
        }
    }
    std::string string() {
        const size_t n = number();
        std::string s = in.substr(at, n);
        at += n;
        return s;
    }
    std::string record(const std::string& name) {
        const uint64_t v = number();
        const size_t n = v / 2;
        std::string s = (v & 1) ? name : std::string();
        s.append(in, at, n);
        at += n;
        return s;
    }
    std::vector<std::string> strings() {
        std::vector<std::string> v(number());
        for (auto& s : v) s = string();
        return v;
    }
};

}  // namespace

KeptAnswers::KeptAnswers(const std::vector<AnswerComparison>& comparisons)
    : count_(comparisons.size()) {
    if (comparisons.empty()) return;
    std::string out;
    for (const auto& c : comparisons) {
        put_string(out, c.name);
        put_number(out, c.type);
        put_number(out, (c.consistent ? 1 : 0) | (c.ttl_differs ? 2 : 0));
        put_number(out, c.unanswered);
        put_number(out, c.variants.size());
        for (const auto& v : c.variants) {
            // rcode is -1..15 (or an extended one): stored plus one.
            put_number(out, static_cast<uint64_t>(static_cast<int64_t>(v.rcode) + 1));
            put_number(out, v.records.size());
            for (const auto& r : v.records) put_record(out, r, c.name);
            put_strings(out, v.providers);
        }
        put_number(out, c.differing.size());
        for (const auto& r : c.differing) put_record(out, r, c.name);
    }
    // Built by appending (capacity doubled): the kept copy is allocated to its exact size.
    packed_ = std::make_shared<const std::string>(out.data(), out.size());
}

bool KeptAnswers::same_as(const KeptAnswers& other) const {
    if (count_ != other.count_) return false;
    if (!packed_ || !other.packed_) return packed_ == other.packed_;
    return *packed_ == *other.packed_;
}

std::vector<AnswerComparison> KeptAnswers::expand() const {
    std::vector<AnswerComparison> out;
    if (!packed_) return out;
    Reader r{*packed_};
    out.resize(count_);
    for (auto& c : out) {
        c.name = r.string();
        c.type = static_cast<uint16_t>(r.number());
        const uint64_t flags = r.number();
        c.consistent = (flags & 1) != 0;
        c.ttl_differs = (flags & 2) != 0;
        c.unanswered = r.number();
        c.variants.resize(r.number());
        for (auto& v : c.variants) {
            v.rcode = static_cast<int>(static_cast<int64_t>(r.number()) - 1);
            v.records.resize(r.number());
            for (auto& rec : v.records) rec = r.record(c.name);
            v.providers = r.strings();
        }
        c.differing.resize(r.number());
        for (auto& rec : c.differing) rec = r.record(c.name);
    }
    return out;
}

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
            if (!same_dns_name(rec.owner, q.first)) continue;
            if (rec.type != q.second && rec.type != kTypeCname) continue;
            records.push_back(answer_record_text(rec));
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
            std::string note = c.name + " " + rr_type_name(c.type) + ":";
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

std::string answer_record_text(const Record& rec) {
    return rec.owner + " " + rr_type_name(rec.type) + " " + rec.rdata;
}

std::vector<std::string> describe_differences(const std::vector<AnswerComparison>& comparisons) {
    std::vector<std::string> out;
    for (const auto& c : comparisons) {
        // Key sets told key by key are keyset_mismatch's (monitor/keysets.hpp), not listed here.
        if (c.consistent) continue;
        std::string s = c.name + " " + rr_type_name(c.type) + " differs:";
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
