#include "zonediff/zone_diff.hpp"

#include <algorithm>
#include <tuple>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

bool diff_less(const Record& a, const Record& b) {
    return std::tie(a.owner, a.type, a.rdata, a.ttl) < std::tie(b.owner, b.type, b.rdata, b.ttl);
}

bool same_set(const Record& a, const Record& b) {
    return a.owner == b.owner && a.type == b.type;
}

// [first, end) of the RRset starting at i.
size_t rrset_end(const std::vector<Record>& v, size_t i) {
    size_t j = i;
    while (j < v.size() && same_set(v[j], v[i])) ++j;
    return j;
}

RRsetDifference compare_sets(const std::vector<Record>& a, size_t ai, size_t ae,
                             const std::vector<Record>& b, size_t bi, size_t be) {
    RRsetDifference d;
    d.owner = a[ai].owner;
    d.type = a[ai].type;
    // Both ranges are sorted by (rdata, ttl): a merge finds the records in only one of them.
    while (ai < ae || bi < be) {
        if (bi == be || (ai < ae && diff_less(a[ai], b[bi]))) {
            d.only_reference.push_back(a[ai++]);
        } else if (ai == ae || diff_less(b[bi], a[ai])) {
            d.only_other.push_back(b[bi++]);
        } else {
            ++ai;
            ++bi;
        }
    }
    return d;
}

}  // namespace

std::string to_string(RRsetDifference::Kind k) {
    switch (k) {
        case RRsetDifference::Kind::added:
            return "added";
        case RRsetDifference::Kind::removed:
            return "removed";
        case RRsetDifference::Kind::changed:
            return "changed";
    }
    return "changed";
}

void sort_for_diff(std::vector<Record>& records) {
    std::sort(records.begin(), records.end(), diff_less);
    records.erase(std::unique(records.begin(), records.end()), records.end());
}

std::vector<RRsetDifference> diff_sorted(const std::vector<Record>& reference,
                                         const std::vector<Record>& other) {
    std::vector<RRsetDifference> out;
    size_t i = 0;
    size_t j = 0;
    while (i < reference.size() || j < other.size()) {
        if (i < reference.size() && reference[i].type == kTypeSoa) {
            i = rrset_end(reference, i);
            continue;
        }
        if (j < other.size() && other[j].type == kTypeSoa) {
            j = rrset_end(other, j);
            continue;
        }
        const bool take_ref =
            j == other.size() ||
            (i < reference.size() && std::tie(reference[i].owner, reference[i].type) <
                                         std::tie(other[j].owner, other[j].type));
        const bool take_other =
            i == reference.size() ||
            (j < other.size() && std::tie(other[j].owner, other[j].type) <
                                     std::tie(reference[i].owner, reference[i].type));
        if (take_ref) {
            const size_t e = rrset_end(reference, i);
            RRsetDifference d;
            d.kind = RRsetDifference::Kind::removed;
            d.owner = reference[i].owner;
            d.type = reference[i].type;
            d.only_reference.assign(reference.begin() + static_cast<std::ptrdiff_t>(i),
                                    reference.begin() + static_cast<std::ptrdiff_t>(e));
            out.push_back(std::move(d));
            i = e;
        } else if (take_other) {
            const size_t e = rrset_end(other, j);
            RRsetDifference d;
            d.kind = RRsetDifference::Kind::added;
            d.owner = other[j].owner;
            d.type = other[j].type;
            d.only_other.assign(other.begin() + static_cast<std::ptrdiff_t>(j),
                                other.begin() + static_cast<std::ptrdiff_t>(e));
            out.push_back(std::move(d));
            j = e;
        } else {
            const size_t ie = rrset_end(reference, i);
            const size_t je = rrset_end(other, j);
            RRsetDifference d = compare_sets(reference, i, ie, other, j, je);
            if (!d.only_reference.empty() || !d.only_other.empty()) out.push_back(std::move(d));
            i = ie;
            j = je;
        }
    }
    return out;
}

ZoneDiffPair compared_pair(std::string provider_a, std::optional<uint32_t> serial_a,
                           std::string provider_b, std::optional<uint32_t> serial_b,
                           std::vector<RRsetDifference> diffs) {
    ZoneDiffPair p;
    p.provider_a = std::move(provider_a);
    p.provider_b = std::move(provider_b);
    p.serial_a = serial_a;
    p.serial_b = serial_b;
    p.compared = true;
    p.rrsets = diffs.size();
    for (const auto& d : diffs) p.records += d.only_reference.size() + d.only_other.size();
    if (diffs.size() > kKeptDifferences) diffs.resize(kKeptDifferences);
    p.differences = std::move(diffs);
    return p;
}

ZoneDiffPair failed_pair(std::string provider_a, std::string provider_b, std::string error,
                         const ZoneDiffResult* previous) {
    ZoneDiffPair p;
    if (previous != nullptr) {
        for (const auto& old : previous->pairs) {
            if (old.provider_a == provider_a && old.provider_b == provider_b) p = old;
        }
    }
    p.provider_a = std::move(provider_a);
    p.provider_b = std::move(provider_b);
    p.error = std::move(error);
    return p;
}

}  // namespace nswatch
