#include "monitor/health.hpp"

namespace nswatch {

bool Health::feed(bool success) {
    if (success) {
        ++successes_;
        failures_ = 0;
        if (!known_) {
            known_ = true;
            return false;
        }
        if (!up_ && successes_ >= t_.rise) {
            up_ = true;
            return true;
        }
    } else {
        ++failures_;
        successes_ = 0;
        if (up_ && failures_ >= t_.fall) {
            up_ = false;
            known_ = true;
            return true;
        }
    }
    return false;
}

}  // namespace nswatch
