#include "catalog/catalog_zone.hpp"

#include <map>
#include <optional>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

inline constexpr uint16_t kTypePtr = 12;
/// Problem lines kept per read: a catalog with a million bad entries costs the log a page.
inline constexpr size_t kMaxProblems = 50;

std::string record_text(const Record& r) {
    return r.owner + " " + std::string(r.type == kTypePtr ? "PTR" : "TXT") + " " + r.rdata;
}

/// The one string of a TXT rdata as ldns prints it ("\"2\""); unset when it has several strings
/// or escapes.
std::optional<std::string> single_txt(const std::string& rdata) {
    if (rdata.size() < 2 || rdata.front() != '"' || rdata.back() != '"') return std::nullopt;
    std::string inner = rdata.substr(1, rdata.size() - 2);
    if (inner.find_first_of("\"\\") != std::string::npos) return std::nullopt;
    return inner;
}

bool usable_group(std::string_view g) {
    if (g.empty() || g.size() > 63) return false;
    for (char c : g) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

std::vector<std::string_view> split_labels(std::string_view rel) {
    std::vector<std::string_view> labels;
    size_t start = 0;
    while (true) {
        const size_t dot = rel.find('.', start);
        labels.push_back(rel.substr(start, dot == std::string_view::npos ? dot : dot - start));
        if (dot == std::string_view::npos) return labels;
        start = dot + 1;
    }
}

struct Candidate {
    std::vector<const Record*> ptrs;
    std::vector<const Record*> groups;
};

class Problems {
  public:
    explicit Problems(std::vector<std::string>& out) : out_(out) {}
    void add(std::string line) {
        if (out_.size() < kMaxProblems) {
            out_.push_back(std::move(line));
        } else {
            ++dropped_;
        }
    }
    ~Problems() {
        if (dropped_ > 0) out_.push_back("and " + std::to_string(dropped_) + " more problems");
    }

  private:
    std::vector<std::string>& out_;
    size_t dropped_ = 0;
};

}  // namespace

std::string member_zone_name(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty() || name.size() > 253) return {};
    std::string out;
    out.reserve(name.size());
    size_t label = 0;
    for (char c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c == '.') {
            if (label == 0) return {};
            label = 0;
        } else {
            const bool ok =
                (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok || ++label > 63) return {};
        }
        out += c;
    }
    return label == 0 ? std::string() : out;
}

CatalogContent read_catalog(std::string_view catalog, const std::vector<Record>& records,
                            size_t max_members) {
    const std::string apex = std::string(catalog) + ".";
    const std::string suffix = "." + apex;
    const std::string zones_suffix = ".zones" + suffix;
    CatalogContent out;
    std::vector<std::string> versions;
    std::map<std::string, Candidate> by_id;
    {
        Problems problems(out.problems);
        for (const Record& r : records) {
            if (r.type != kTypePtr && r.type != kTypeTxt) continue;
            if (r.owner == "version" + suffix) {
                if (r.type == kTypeTxt) versions.push_back(single_txt(r.rdata).value_or(r.rdata));
                continue;
            }
            if (r.owner.size() <= zones_suffix.size() || !r.owner.ends_with(zones_suffix)) {
                if (r.type == kTypePtr && r.owner != apex) {
                    problems.add("skipped " + record_text(r) + ": a member PTR must be at " +
                                 "<unique-id>.zones." + apex);
                }
                continue;
            }
            const std::string_view rel(r.owner.data(), r.owner.size() - zones_suffix.size());
            const auto labels = split_labels(rel);
            if (labels.size() == 1 && r.type == kTypePtr) {
                if (by_id.size() >= max_members && !by_id.contains(std::string(labels[0]))) {
                    throw CatalogError("catalog " + std::string(catalog) + " lists more than " +
                                       std::to_string(max_members) +
                                       " member zones (zones_from.max_members); not used");
                }
                by_id[std::string(labels[0])].ptrs.push_back(&r);
            } else if (labels.size() == 2 && labels[0] == "group" && r.type == kTypeTxt) {
                by_id[std::string(labels[1])].groups.push_back(&r);
            }
            // Other properties (coo, ext.*) and records below them are not ours to read.
        }
        if (versions.empty()) {
            throw CatalogError("catalog " + std::string(catalog) + " has no version." + apex +
                               " TXT record: not a catalog zone (RFC 9432)");
        }
        if (versions.size() > 1) {
            throw CatalogError("catalog " + std::string(catalog) + " has " +
                               std::to_string(versions.size()) +
                               " version TXT records; a catalog has one");
        }
        if (versions[0] != "1" && versions[0] != "2") {
            throw CatalogError("catalog " + std::string(catalog) + " has version \"" + versions[0] +
                               "\"; nswatch reads versions 1 and 2 (RFC 9432)");
        }
        out.version = versions[0] == "1" ? 1 : 2;

        std::map<std::string, CatalogMember> by_zone;
        for (const auto& [id, c] : by_id) {
            if (c.ptrs.empty()) continue;  // a group without its member: nothing to monitor
            if (c.ptrs.size() > 1) {
                problems.add("skipped member id " + id + ".zones." + apex + ": " +
                             std::to_string(c.ptrs.size()) + " PTR records, a member has one");
                continue;
            }
            const Record& ptr = *c.ptrs.front();
            CatalogMember m;
            m.id = id;
            m.zone = member_zone_name(ptr.rdata);
            if (m.zone.empty()) {
                problems.add("skipped " + record_text(ptr) + ": not a zone name nswatch monitors");
                continue;
            }
            if (out.version == 2 && !c.groups.empty()) {
                const auto group =
                    c.groups.size() == 1 ? single_txt(c.groups.front()->rdata) : std::nullopt;
                if (group && usable_group(*group)) {
                    m.group = *group;
                } else {
                    problems.add("ignored the group of " + m.zone + " (" +
                                 record_text(*c.groups.front()) +
                                 "): one TXT string of letters, digits, '-', '_' or '.'");
                }
            }
            auto [it, inserted] = by_zone.emplace(m.zone, m);
            if (!inserted) {
                problems.add("skipped " + record_text(ptr) + ": " + m.zone +
                             " is already the member at id " + it->second.id);
            }
        }
        out.members.reserve(by_zone.size());
        for (auto& [zone, m] : by_zone) out.members.push_back(std::move(m));
    }
    return out;
}

}  // namespace nswatch
