#include "monitor/round_vectors.hpp"

#include <utility>

namespace nswatch {

std::vector<ProbeResult> RoundVectorPool::take(size_t n) {
    std::vector<ProbeResult> v;
    if (!kept_.empty()) {
        v = std::move(kept_.back());
        kept_.pop_back();
    }
    v.reserve(n);
    return v;
}

void RoundVectorPool::give_back(std::vector<ProbeResult>& v) {
    v.clear();
    if (v.capacity() > 0 && v.capacity() <= max_capacity_ && kept_.size() < max_kept_) {
        kept_.push_back(std::move(v));
    }
    std::vector<ProbeResult>().swap(v);
}

}  // namespace nswatch
