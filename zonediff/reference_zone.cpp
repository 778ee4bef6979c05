#include "zonediff/reference_zone.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

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

std::string comparable_rdata(uint16_t type, const std::string& rdata) {
    if (type != kTypeTxt && type != kTypeSpf) return rdata;
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

ReferenceZone::ReferenceZone(std::string zone, const std::vector<Record>& records)
    : zone_(lower(std::move(zone))), apex_(zone_ + ".") {
    bool has_soa = false;
    for (const auto& r : records) {
        const std::string owner = lower(r.owner);
        if (!at_or_below(owner, apex_)) {
            throw std::runtime_error("record '" + r.owner + " " + rr_type_name(r.type) + " " +
                                     r.rdata + "' is not in zone " + zone_);
        }
        auto [it, fresh] = all_.try_emplace({owner, r.type});
        ReferenceRrset& set = it->second;
        if (fresh) {
            set.owner = owner;
            set.type = r.type;
            set.ttl = r.ttl;
        }
        set.rdata.push_back(comparable_rdata(r.type, r.rdata));
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
        if (!checked_type(r.type)) continue;
        for (std::string n = owner; at_or_below(n, apex_); n = parent_of(n)) {
            if (!existing_.insert(n).second) break;
            if (n == apex_) break;
        }
    }
    if (!has_soa) throw std::runtime_error("zone " + zone_ + " has no SOA record at its apex");
    for (auto& [key, set] : all_) {
        std::sort(set.rdata.begin(), set.rdata.end());
        set.rdata.erase(std::unique(set.rdata.begin(), set.rdata.end()), set.rdata.end());
        if (!checked_type(key.second) || below_cut(key.first)) continue;
        if (cuts_.count(key.first) != 0 && key.second != kTypeDs) continue;
        rrsets_.push_back(&set);
    }
    for (const auto& n : existing_) {
        if (!below_cut(n) && cuts_.count(n) == 0) names_.push_back(n);
    }
}

bool ReferenceZone::below_cut(const std::string& name) const {
    for (std::string n = parent_of(name); at_or_below(n, apex_) && n != apex_; n = parent_of(n)) {
        if (cuts_.count(n) != 0) return true;
    }
    return false;
}

std::set<uint16_t> ReferenceZone::types_at(const std::string& name) const {
    std::set<uint16_t> out;
    const std::string n = lower(name);
    for (auto it = all_.lower_bound({n, 0}); it != all_.end() && it->first.first == n; ++it) {
        out.insert(it->first.second);
    }
    return out;
}

Expectation ReferenceZone::answer_at(const std::string& node, const std::string& asked,
                                     uint16_t type) const {
    Expectation e;
    auto it = all_.find({node, type});
    if (it == all_.end()) it = all_.find({node, kTypeCname});
    if (it == all_.end()) {
        e.kind = Expectation::Kind::nodata;
        return e;
    }
    e.kind = Expectation::Kind::answer;
    e.rrset = it->second;
    e.rrset.owner = asked;
    return e;
}

std::optional<Expectation> ReferenceZone::expect(const std::string& name, uint16_t type) const {
    std::string n = lower(name);
    if (n.empty() || n.back() != '.') n += '.';
    if (!at_or_below(n, apex_) || below_cut(n)) return std::nullopt;
    if (cuts_.count(n) != 0 && type != kTypeDs) return std::nullopt;
    if (existing_.count(n) != 0) return answer_at(n, n, type);
    // RFC 4592 §4.1: the closest encloser's wildcard child answers for a name that does not exist.
    std::string encloser = parent_of(n);
    while (existing_.count(encloser) == 0) encloser = parent_of(encloser);
    const std::string wildcard = "*." + encloser;
    if (existing_.count(wildcard) != 0) {
        Expectation e = answer_at(wildcard, n, type);
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
