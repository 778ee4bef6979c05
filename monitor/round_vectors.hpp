// RoundVectorPool: the result vectors of finished rounds, emptied and kept with their capacity
// for the next rounds. A round's vector of results is a few kilobytes (ProbeResult is ~600 bytes,
// a round 4 to 30 of them); allocating one per round and freeing it at the end made glibc's
// malloc consolidate its fast free lists on every such allocation (any request of a kilobyte or
// more does when they are not empty), a large share of the daemon's CPU at 1,000 zones.
#pragma once

#include <cstddef>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

class RoundVectorPool {
  public:
    /// At most `max_kept` vectors are kept, each of capacity at most `max_capacity` results (a
    /// larger one, of a zone with many addresses, is freed rather than held for every round).
    explicit RoundVectorPool(size_t max_kept = 64, size_t max_capacity = 64)
        : max_kept_(max_kept), max_capacity_(max_capacity) {}

    /// An empty vector with room for at least `n` results: a kept one when there is one.
    std::vector<ProbeResult> take(size_t n);
    /// Empty `v` (its results are destroyed) and keep its storage if there is room; `v` is left
    /// empty either way.
    void give_back(std::vector<ProbeResult>& v);

    size_t kept() const { return kept_.size(); }

  private:
    size_t max_kept_;
    size_t max_capacity_;
    std::vector<std::vector<ProbeResult>> kept_;
};

}  // namespace nswatch
