#include "monitor/answer_cadence.hpp"

#include <algorithm>
#include <functional>
#include <string>

namespace nswatch {

bool AnswerCadence::start_round(int every) {
    this_round_ = due_ || rounds_without_ + 1 >= static_cast<uint64_t>(std::max(1, every));
    return this_round_;
}

void AnswerCadence::finish_round(const std::vector<ProbeResult>& soa_results) {
    rounds_without_ = this_round_ ? 0 : rounds_without_ + 1;
    size_t fingerprint = 0;
    for (const auto& r : soa_results) {
        // UDP only: it runs every round, while TCP joins every tcp_every-th round and would
        // change the sum without any serial moving.
        if (!r.soa || r.target.transport != Transport::udp) continue;
        // Summed, so the order results arrive in does not matter.
        fingerprint += std::hash<std::string>{}(r.target.address) ^
                       (static_cast<size_t>(r.soa->serial) * 0x9E3779B97F4A7C15ULL);
    }
    due_ = fingerprint != fingerprint_;
    fingerprint_ = fingerprint;
}

}  // namespace nswatch
