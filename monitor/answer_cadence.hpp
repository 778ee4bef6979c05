// When a zone's round also probes its watched names (probe.answers_every): every k-th round, and
// in the round after any server's SOA serial moved or a server stopped or started answering. A
// zone's data changes with its serial, so most rounds need only the SOA probes (one in seven of
// the default probes). Pure: fed the rounds' SOA results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

class AnswerCadence {
  public:
    /// A round starts: true when it probes the watched names (`every` = probe.answers_every).
    bool start_round(int every);
    /// The round ended with these SOA results.
    void finish_round(const std::vector<ProbeResult>& soa_results);

  private:
    bool due_ = true;  ///< the first round always probes them
    bool this_round_ = false;
    uint64_t rounds_without_ = 0;
    size_t fingerprint_ = 0;  ///< of every answering address's serial at the last round
};

}  // namespace nswatch
