#include "zonediff/reference_compare.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <string_view>
#include <vector>

#include "dns/denial_proof.hpp"
#include "dns/dns_name.hpp"
#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

template <typename Strings>
std::string joined(const Strings& v) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += " | ";
        out += s;
    }
    return out;
}

std::string with_ttl(const std::vector<std::string>& rdata, uint32_t ttl, bool show) {
    return show ? "TTL " + std::to_string(ttl) + " " + joined(rdata) : joined(rdata);
}

std::string expected_text(const Expectation& e, bool compare_ttl) {
    switch (e.kind) {
        case Expectation::Kind::answer:
            return (e.rrset.type == kTypeCname ? "CNAME " : "") +
                   with_ttl(e.rrset.rdata, e.rrset.ttl, compare_ttl);
        case Expectation::Kind::nodata:
            return "NODATA";
        case Expectation::Kind::nxdomain:
            return "NXDOMAIN";
    }
    return "?";
}

bool has_in_authority(const ProbeResult& got, uint16_t type, const std::string* owner) {
    return std::any_of(got.authority.begin(), got.authority.end(), [&](const Record& r) {
        return r.type == type && (owner == nullptr || same_dns_name(r.owner, *owner));
    });
}

}  // namespace

std::string_view to_string(DriftKind k) {
    switch (k) {
        case DriftKind::differs:
            return "differs";
        case DriftKind::missing:
            return "missing";
        case DriftKind::extra:
            return "extra";
        case DriftKind::servfail:
            return "servfail";
        case DriftKind::wrong_rcode:
            return "wrong_rcode";
        case DriftKind::no_soa:
            return "no_soa";
        case DriftKind::no_denial:
            return "no_denial";
        case DriftKind::denial_signature:
            return "denial_signature";
    }
    return "?";
}

std::string Drift::describe() const {
    return "[" + provider + "] " + name + " " + rr_type_name(type) + ": reference " + expected +
           ", served " + served;
}

ReferenceVerdict judge_reference_answer(const ReferenceQuestion& q, const ProbeResult& got,
                                        const std::string& apex, bool is_signed, bool compare_ttl,
                                        const std::vector<Record>* dnskeys) {
    ReferenceVerdict v;
    const bool answered = got.outcome == Outcome::ok || got.outcome == Outcome::nxdomain ||
                          got.outcome == Outcome::servfail || got.outcome == Outcome::formerr;
    if (!answered) return v;
    v.conclusive = true;
    // The texts of a drift are built only when there is one: most answers agree, and this runs
    // for every answer of every provider.
    auto drift = [&](DriftKind kind, std::string served) {
        Drift d;
        d.provider = got.target.provider;
        d.address = got.target.address;
        d.name = q.name;
        d.type = q.type;
        d.expected = expected_text(q.expected, compare_ttl);
        d.kind = kind;
        d.served = std::move(served);
        v.drift = std::move(d);
        return v;
    };
    if (got.outcome == Outcome::servfail || got.outcome == Outcome::formerr) {
        return drift(DriftKind::servfail, rcode_name(got.rcode));
    }

    // The records at the name asked, of the type asked or a CNAME, in comparison form, sorted and
    // unique: views of the records' own rdata (the comparison form of all but TXT and SPF), in a
    // buffer on the stack for the usual handful; joined texts or a long RRset go to the heap.
    uint16_t served_type = q.type;
    uint32_t min_ttl = 0;
    bool one_ttl = true;
    size_t count = 0;
    bool rewritten = false;  // some record's comparison form differs from its rdata (TXT, SPF)
    for (const auto& r : got.answer) {
        if (r.type != q.type && r.type != kTypeCname) continue;
        if (!same_dns_name(r.owner, q.name)) continue;
        served_type = r.type;
        if (count == 0) {
            min_ttl = r.ttl;
        } else if (r.ttl != min_ttl) {
            one_ttl = false;
            min_ttl = std::min(min_ttl, r.ttl);
        }
        ++count;
        rewritten = rewritten || !rdata_is_comparable(r.type);
    }
    constexpr size_t kOnStack = 16;
    std::array<std::string_view, kOnStack> stack_views;
    std::vector<std::string_view> heap_views;
    std::vector<std::string> texts;  // comparison forms that are not the rdata itself
    std::span<std::string_view> views(stack_views.data(), count);
    if (count > kOnStack) {
        heap_views.resize(count);
        views = heap_views;
    }
    if (rewritten) texts.reserve(count);  // views into it stay valid
    size_t at = 0;
    for (const auto& r : got.answer) {
        if (at == count) break;
        if (r.type != q.type && r.type != kTypeCname) continue;
        if (!same_dns_name(r.owner, q.name)) continue;
        views[at++] = rdata_is_comparable(r.type)
                          ? std::string_view(r.rdata)
                          : texts.emplace_back(comparable_rdata(r.type, r.rdata));
    }
    if (views.size() > 1) {
        std::sort(views.begin(), views.end());
        views = views.first(
            static_cast<size_t>(std::unique(views.begin(), views.end()) - views.begin()));
    }
    const std::span<const std::string_view> served = views;
    const bool nx = got.rcode == 3;
    auto make_served_text = [&] {
        const std::string served_ttl =
            compare_ttl && !served.empty() ? "TTL " + std::to_string(min_ttl) + " " : "";
        return served.empty()
                   ? std::string(nx ? "NXDOMAIN" : "NODATA")
                   : (served_type == kTypeCname ? "CNAME " : "") + served_ttl + joined(served);
    };

    if (q.expected.kind == Expectation::Kind::answer) {
        if (served.empty()) return drift(DriftKind::missing, make_served_text());
        const bool same_records =
            std::equal(served.begin(), served.end(), q.expected.rrset.rdata.begin(),
                       q.expected.rrset.rdata.end()) &&
            (served_type == kTypeCname) == (q.expected.rrset.type == kTypeCname);
        const bool same_ttl = !compare_ttl || (one_ttl && min_ttl == q.expected.rrset.ttl);
        if (!same_records || !same_ttl) return drift(DriftKind::differs, make_served_text());
        return v;
    }
    const std::string served_text = make_served_text();

    // A negative answer: the rcode, no records, the SOA (RFC 2308 §2), and in a signed zone a
    // denial that proves it (RFC 4035 §3.1.3, RFC 5155 §7.2).
    const bool want_nx = q.expected.kind == Expectation::Kind::nxdomain;
    if (!served.empty()) return drift(DriftKind::extra, served_text);
    if (want_nx != nx) {
        return drift(DriftKind::wrong_rcode, nx ? "NXDOMAIN" : "NOERROR, no records (NODATA)");
    }
    if (!has_in_authority(got, kTypeSoa, &apex)) {
        return drift(DriftKind::no_soa, served_text + " without the zone's SOA");
    }
    if (is_signed) {
        // RFC 4035 §5.4: a resolver uses the NSEC/NSEC3 RRsets only once they validate, so
        // unsigned ones are named first (ldns's coverage check would call a NODATA proof without
        // its RRSIG's label count a wildcard gap instead).
        if (dnskeys != nullptr) {
            if (auto bad = denial_signature_gap(got.authority, *dnskeys, got.sent_wall)) {
                return drift(DriftKind::denial_signature, served_text + ", " + *bad);
            }
        }
        if (auto gap = denial_gap(q.name, q.type, nx, got.authority)) {
            const bool none = *gap == "without NSEC or NSEC3";
            return drift(DriftKind::no_denial,
                         served_text + (none ? " " : ", denial not proven: ") + *gap);
        }
    }
    return v;
}

}  // namespace nswatch
