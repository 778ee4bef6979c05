#include "prober/log_limiter.hpp"

namespace nswatch {

bool LogLimiter::allow(size_t reason, Clock::time_point now, uint64_t& suppressed) {
    if (reason >= states_.size()) states_.resize(reason + 1);
    State& s = states_[reason];
    if (s.logged && now - s.last < interval_) {
        ++s.held;
        return false;
    }
    suppressed = s.held;
    s = State{true, now, 0};
    return true;
}

}  // namespace nswatch
