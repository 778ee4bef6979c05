#include "zonediff/reference_plan.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

// splitmix64: a well-mixed number from (round, index), so made-up names differ every round
// without a random source (the plan stays reproducible).
uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// Types asked where the reference has none; common ones, so a server answering from a template
// or a catch-all is caught.
constexpr std::array<uint16_t, 6> kAbsentCandidates = {kTypeA,  kTypeAaaa,  kTypeTxt,
                                                       kTypeMx, 33 /*SRV*/, 257 /*CAA*/};

}  // namespace

size_t rrsets_per_round(size_t rrsets, std::chrono::milliseconds every,
                        std::chrono::milliseconds interval) {
    if (rrsets == 0) return 0;
    if (every.count() <= 0 || interval >= every) return rrsets;
    const auto n = static_cast<unsigned long long>(rrsets);
    const auto per = (n * static_cast<unsigned long long>(interval.count()) +
                      static_cast<unsigned long long>(every.count()) - 1) /
                     static_cast<unsigned long long>(every.count());
    return std::max<size_t>(1, std::min<size_t>(rrsets, static_cast<size_t>(per)));
}

size_t address_for_round(uint64_t round, size_t addresses) {
    return addresses == 0 ? 0 : static_cast<size_t>(round % addresses);
}

std::vector<ReferenceQuestion> plan_reference_round(const ReferenceZone& ref, uint64_t round,
                                                    size_t per_round, size_t negatives) {
    std::vector<ReferenceQuestion> out;
    plan_reference_round(ref, round, per_round, negatives, out);
    return out;
}

void plan_reference_round(const ReferenceZone& ref, uint64_t round, size_t per_round,
                          size_t negatives, std::vector<ReferenceQuestion>& out) {
    size_t used = 0;
    // The next question to fill: one left from the previous plan (its buffers kept), or a new one.
    auto next = [&]() -> ReferenceQuestion& {
        if (used == out.size()) out.emplace_back();
        return out[used++];
    };
    const size_t sets = ref.rrset_count();
    if (sets != 0) {
        per_round = std::min(per_round, sets);
        out.reserve(per_round + negatives);
        const size_t start = static_cast<size_t>((round * per_round) % sets);
        for (size_t i = 0; i < per_round; ++i) {
            ReferenceQuestion& q = next();
            q.negative = false;
            q.expected.kind = Expectation::Kind::answer;
            q.expected.from_wildcard = false;
            q.rrset = static_cast<uint32_t>((start + i) % sets);
            ref.rrset_into(q.rrset, q.expected.rrset);
            q.name.assign(q.expected.rrset.owner);
            q.type = q.expected.rrset.type;
        }
    }
    const size_t names = ref.name_count();
    for (size_t i = 0; names != 0 && i < negatives; ++i) {
        const uint64_t h = mix(round * 1315423911ULL + i);
        const std::string at(ref.name(h % names));
        std::string name;
        uint16_t type = kTypeA;
        if (i % 2 == 0) {
            char label[32];
            std::snprintf(label, sizeof label, "nswatch-nx-%08x.", static_cast<unsigned>(h >> 32));
            name = label + at;
        } else {
            const auto present = ref.types_at(at);
            name = at;
            type = kAbsentCandidates[0];
            for (size_t k = 0; k < kAbsentCandidates.size(); ++k) {
                const uint16_t t = kAbsentCandidates[(h + k) % kAbsentCandidates.size()];
                if (present.count(t) == 0) {
                    type = t;
                    break;
                }
            }
        }
        auto e = ref.expect(name, type);
        if (!e) continue;
        ReferenceQuestion& q = next();
        q.negative = true;
        q.rrset = ReferenceQuestion::kNotAnRrset;
        q.name = std::move(name);
        q.type = type;
        q.expected = std::move(*e);
    }
    out.resize(used);
}

}  // namespace nswatch
