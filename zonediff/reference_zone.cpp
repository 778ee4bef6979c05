#include "zonediff/reference_zone.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <tuple>

#include "dns/rr_types.hpp"
#include "dns/transfer_record.hpp"

namespace nswatch {

namespace {

constexpr uint16_t kTypeSpf = 99;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

/// The name one label up ("www.shop.test." -> "shop.test."); a backslash-escaped dot stays.
std::string parent_of(const std::string& name) {
    for (size_t i = 0; i + 1 < name.size(); ++i) {
        if (name[i] == '\\') {
            ++i;
            continue;
        }
        if (name[i] == '.') return name.substr(i + 1);
    }
    return ".";
}

bool at_or_below(const std::string& name, const std::string& apex) {
    if (name.size() < apex.size()) return false;
    if (name.size() == apex.size()) return name == apex;
    return name.compare(name.size() - apex.size(), apex.size(), apex) == 0 &&
           name[name.size() - apex.size() - 1] == '.';
}

bool checked_type(uint16_t type) {
    return type != kTypeRrsig && type != kTypeNsec && type != kTypeNsec3;
}

}  // namespace

bool rdata_is_comparable(uint16_t type) {
    return type != kTypeTxt && type != kTypeSpf;
}

std::string comparable_rdata(uint16_t type, const std::string& rdata) {
    if (rdata_is_comparable(type)) return rdata;
    // ldns prints each character-string quoted ("a" "b"), with \" and \\ escaped inside.
    std::string joined = "\"";
    bool quoted = false;
    for (size_t i = 0; i < rdata.size(); ++i) {
        const char c = rdata[i];
        if (c == '\\' && i + 1 < rdata.size()) {
            joined += c;
            joined += rdata[++i];
        } else if (c == '"') {
            quoted = !quoted;
        } else if (quoted || c != ' ') {
            joined += c;
        }
    }
    return joined + "\"";
}

namespace {

/// One record on its way into the tables.
struct Pending {
    std::string owner;
    uint16_t type = 0;
    uint32_t ttl = 0;
    std::string rdata;
};

}  // namespace

ReferenceZone::ReferenceZone(std::string zone, const std::vector<Record>& records)
    : zone_(lower(std::move(zone))), apex_(zone_ + ".") {
    bool has_soa = false;
    std::vector<Pending> pending;
    pending.reserve(records.size());
    std::vector<std::string> existing;
    for (const auto& r : records) {
        std::string owner = lower(r.owner);
        if (!at_or_below(owner, apex_)) {
            throw std::runtime_error("record '" + r.owner + " " + rr_type_name(r.type) + " " +
                                     r.rdata + "' is not in zone " + zone_);
        }
        if (r.type == kTypeSoa && owner == apex_ && !has_soa) {
            has_soa = true;
            unsigned long serial = 0;
            // rdata: mname rname serial refresh retry expire minimum
            if (std::sscanf(r.rdata.c_str(), "%*s %*s %lu", &serial) == 1) {
                serial_ = static_cast<uint32_t>(serial);
            }
        }
        if (r.type == kTypeDnskey && owner == apex_) signed_ = true;
        if (r.type == kTypeNs && owner != apex_) cuts_.insert(owner);
        // A name that holds only DNSSEC's own records (an NSEC3 owner, a hash) is not in the
        // zone's name tree: made-up names below it would ask for a denial no server can prove.
        if (checked_type(r.type)) {
            for (std::string n = parent_of(owner); at_or_below(n, apex_); n = parent_of(n)) {
                existing.push_back(n);
                if (n == apex_) break;
            }
            existing.push_back(owner);
        }
        pending.push_back({std::move(owner), r.type, r.ttl, comparable_rdata(r.type, r.rdata)});
    }
    if (!has_soa) throw std::runtime_error("zone " + zone_ + " has no SOA record at its apex");
    std::sort(existing.begin(), existing.end());
    existing.erase(std::unique(existing.begin(), existing.end()), existing.end());
    // Stable: an RRset's TTL is that of its first record in the input.
    std::stable_sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
        return std::tie(a.owner, a.type) < std::tie(b.owner, b.type);
    });

    size_t bytes = 0;
    for (const auto& n : existing) bytes += n.size();
    for (const auto& p : pending) bytes += p.rdata.size();
    if (bytes > UINT32_MAX || pending.size() > UINT32_MAX) {
        throw std::runtime_error("zone " + zone_ + " is too large for a reference (4 GiB of text)");
    }
    text_.reserve(bytes);
    auto append = [this](const std::string& s) {
        const Span span{static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(s.size())};
        text_.insert(text_.end(), s.begin(), s.end());
        return span;
    };
    existing_.reserve(existing.size());
    for (const auto& n : existing) existing_.push_back(append(n));

    rdata_.reserve(pending.size());
    std::vector<std::string> group;
    for (size_t i = 0; i < pending.size();) {
        size_t j = i;
        group.clear();
        while (j < pending.size() && pending[j].owner == pending[i].owner &&
               pending[j].type == pending[i].type) {
            group.push_back(std::move(pending[j].rdata));
            ++j;
        }
        std::sort(group.begin(), group.end());
        group.erase(std::unique(group.begin(), group.end()), group.end());
        Set set;
        set.name = static_cast<uint32_t>(find_name(pending[i].owner));
        set.type = pending[i].type;
        set.ttl = pending[i].ttl;
        set.first_rdata = static_cast<uint32_t>(rdata_.size());
        set.rdata_count = static_cast<uint32_t>(group.size());
        for (const auto& g : group) rdata_.push_back(append(g));
        sets_.push_back(set);
        const bool cut_data = below_cut(pending[i].owner) ||
                              (cuts_.count(pending[i].owner) != 0 && set.type != kTypeDs);
        if (checked_type(set.type) && !cut_data) {
            checked_.push_back(static_cast<uint32_t>(sets_.size() - 1));
        }
        i = j;
    }
    rdata_.shrink_to_fit();
    sets_.shrink_to_fit();
    checked_.shrink_to_fit();
    for (size_t i = 0; i < existing.size(); ++i) {
        if (!below_cut(existing[i]) && cuts_.count(existing[i]) == 0) {
            names_.push_back(static_cast<uint32_t>(i));
        }
    }
    names_.shrink_to_fit();
}

size_t ReferenceZone::memory_bytes() const {
    return text_.capacity() + existing_.capacity() * sizeof(Span) + sets_.capacity() * sizeof(Set) +
           rdata_.capacity() * sizeof(Span) +
           (checked_.capacity() + names_.capacity()) * sizeof(uint32_t);
}

ReferenceRrset ReferenceZone::materialise(const Set& s, std::string_view owner) const {
    ReferenceRrset out;
    out.owner = owner;
    out.type = s.type;
    out.ttl = s.ttl;
    out.rdata.reserve(s.rdata_count);
    for (uint32_t k = 0; k < s.rdata_count; ++k)
        out.rdata.emplace_back(view(rdata_[s.first_rdata + k]));
    return out;
}

void ReferenceZone::assign(const Set& s, std::string_view owner, ReferenceRrset& out) const {
    out.owner.assign(owner);
    out.type = s.type;
    out.ttl = s.ttl;
    out.rdata.resize(s.rdata_count);
    for (uint32_t k = 0; k < s.rdata_count; ++k)
        out.rdata[k].assign(view(rdata_[s.first_rdata + k]));
}

long ReferenceZone::find_name(std::string_view name) const {
    const auto it = std::lower_bound(existing_.begin(), existing_.end(), name,
                                     [this](Span s, std::string_view n) { return view(s) < n; });
    if (it == existing_.end() || view(*it) != name) return -1;
    return static_cast<long>(it - existing_.begin());
}

long ReferenceZone::find_set(uint32_t name, uint16_t type) const {
    const auto it = std::lower_bound(sets_.begin(), sets_.end(), std::pair{name, type},
                                     [](const Set& s, std::pair<uint32_t, uint16_t> key) {
                                         return std::pair{s.name, s.type} < key;
                                     });
    if (it == sets_.end() || it->name != name || it->type != type) return -1;
    return static_cast<long>(it - sets_.begin());
}

bool ReferenceZone::below_cut(const std::string& name) const {
    if (cuts_.empty()) return false;
    for (std::string n = parent_of(name); at_or_below(n, apex_) && n != apex_; n = parent_of(n)) {
        if (cuts_.count(n) != 0) return true;
    }
    return false;
}

std::set<uint16_t> ReferenceZone::types_at(const std::string& name) const {
    std::set<uint16_t> out;
    const long node = find_name(lower(name));
    if (node < 0) return out;
    const auto n = static_cast<uint32_t>(node);
    auto it = std::lower_bound(sets_.begin(), sets_.end(), n,
                               [](const Set& s, uint32_t key) { return s.name < key; });
    for (; it != sets_.end() && it->name == n; ++it) out.insert(it->type);
    return out;
}

Expectation ReferenceZone::answer_at(uint32_t node, const std::string& asked, uint16_t type) const {
    Expectation e;
    long set = find_set(node, type);
    if (set < 0) set = find_set(node, kTypeCname);
    if (set < 0) {
        e.kind = Expectation::Kind::nodata;
        return e;
    }
    e.kind = Expectation::Kind::answer;
    e.rrset = materialise(sets_[static_cast<size_t>(set)], asked);
    return e;
}

std::optional<Expectation> ReferenceZone::expect(const std::string& name, uint16_t type) const {
    std::string n = lower(name);
    if (n.empty() || n.back() != '.') n += '.';
    if (!at_or_below(n, apex_) || below_cut(n)) return std::nullopt;
    if (cuts_.count(n) != 0 && type != kTypeDs) return std::nullopt;
    if (const long node = find_name(n); node >= 0) {
        return answer_at(static_cast<uint32_t>(node), n, type);
    }
    // RFC 4592 §4.1: the closest encloser's wildcard child answers for a name that does not exist.
    std::string encloser = parent_of(n);
    while (find_name(encloser) < 0) encloser = parent_of(encloser);
    if (const long wildcard = find_name("*." + encloser); wildcard >= 0) {
        Expectation e = answer_at(static_cast<uint32_t>(wildcard), n, type);
        e.from_wildcard = true;
        return e;
    }
    return Expectation{};
}

ReferenceZone read_reference_file(const std::string& zone, const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> fp(std::fopen(path.c_str(), "r"), &std::fclose);
    if (!fp) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
    ldns_rdf* origin = ldns_dname_new_frm_str((zone + ".").c_str());
    if (origin == nullptr) throw std::runtime_error("'" + zone + "' is not a domain name");
    // Record by record, as ldns_zone_new_frm_fp_l reads a file, but not through it: on a syntax
    // error ldns 1.8 frees the zone it was building without its SOA and records, a leak each
    // time a broken file is read (and a reload reads it again).
    ldns_rdf* previous = nullptr;
    uint32_t ttl = 3600;
    int line = 1;
    std::vector<Record> records;
    ldns_status st = LDNS_STATUS_OK;
    while (st == LDNS_STATUS_OK && std::feof(fp.get()) == 0) {
        ldns_rr* rr = nullptr;
        st = ldns_rr_new_frm_fp_l(&rr, fp.get(), &ttl, &origin, &previous, &line);
        if (st == LDNS_STATUS_OK) {
            records.push_back(transfer_record(rr));
            ldns_rr_free(rr);
        } else if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
                   st == LDNS_STATUS_SYNTAX_ORIGIN) {
            st = LDNS_STATUS_OK;  // a blank or comment line, $TTL, $ORIGIN
        } else if (st == LDNS_STATUS_SYNTAX_INCLUDE) {
            st = LDNS_STATUS_SYNTAX_INCLUDE_ERR_NOTIMPL;
        }
    }
    ldns_rdf_deep_free(origin);
    if (previous != nullptr) ldns_rdf_deep_free(previous);
    if (st != LDNS_STATUS_OK) {
        // ldns counts the newline that ended the record it failed on: the record's own line is
        // one less, unless the file ended without a newline.
        const long at = std::ftell(fp.get());
        if (at > 0 && std::fseek(fp.get(), at - 1, SEEK_SET) == 0 && std::fgetc(fp.get()) == '\n' &&
            line > 1) {
            --line;
        }
        throw std::runtime_error(path + ":" + std::to_string(line) + ": " +
                                 ldns_get_errorstr_by_id(st));
    }
    try {
        return ReferenceZone(zone, records);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
}

}  // namespace nswatch
