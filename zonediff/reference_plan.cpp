#include "zonediff/reference_plan.hpp"

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
    const size_t sets = ref.rrset_count();
    out.reserve(std::min(per_round, sets) + negatives);
    if (sets != 0) {
        per_round = std::min(per_round, sets);
        const size_t start = static_cast<size_t>((round * per_round) % sets);
        for (size_t i = 0; i < per_round; ++i) {
            ReferenceQuestion q;
            q.expected.kind = Expectation::Kind::answer;
            q.expected.rrset = ref.rrset((start + i) % sets);
            q.name = q.expected.rrset.owner;
            q.type = q.expected.rrset.type;
            out.push_back(std::move(q));
        }
    }
    const size_t names = ref.name_count();
    if (names == 0) return out;
    for (size_t i = 0; i < negatives; ++i) {
        const uint64_t h = mix(round * 1315423911ULL + i);
        const std::string at(ref.name(h % names));
        ReferenceQuestion q;
        q.negative = true;
        if (i % 2 == 0) {
            char label[32];
            std::snprintf(label, sizeof label, "nswatch-nx-%08x.", static_cast<unsigned>(h >> 32));
            q.name = label + at;
            q.type = kTypeA;
        } else {
            const auto present = ref.types_at(at);
            q.name = at;
            q.type = kAbsentCandidates[0];
            for (size_t k = 0; k < kAbsentCandidates.size(); ++k) {
                const uint16_t t = kAbsentCandidates[(h + k) % kAbsentCandidates.size()];
                if (present.count(t) == 0) {
                    q.type = t;
                    break;
                }
            }
        }
        auto e = ref.expect(q.name, q.type);
        if (!e) continue;
        q.expected = std::move(*e);
        out.push_back(std::move(q));
    }
    return out;
}

}  // namespace nswatch
