#include "monitor/heap_trim.hpp"

#include <malloc.h>

namespace nswatch {

bool HeapTrimPolicy::due(Clock::time_point now, uint64_t rounds, bool idle) const {
    if (rounds == rounds_at_last_) return false;  // nothing was freed by rounds since
    const auto since = now - last_;
    return since >= busy_gap_ || (idle && since >= idle_gap_);
}

void HeapTrimPolicy::trimmed(Clock::time_point now, uint64_t rounds) {
    last_ = now;
    rounds_at_last_ = rounds;
}

bool release_free_heap() {
    return malloc_trim(0) != 0;
}

}  // namespace nswatch
