#include "dns/tsig_guard.hpp"

namespace nswatch {

TsigSeconds tsig_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool tsig_time_ok(TsigSeconds now, TsigSeconds time_signed, uint16_t fudge) {
    return now >= time_signed - fudge && now <= time_signed + fudge;
}

bool TsigReplayMemory::first_sighting(std::string_view key_name, std::span<const uint8_t> mac,
                                      TsigSeconds expires, TsigSeconds now) {
    forget_expired(now);
    std::string id(key_name);
    id.push_back('\0');
    id.append(reinterpret_cast<const char*>(mac.data()), mac.size());
    if (by_mac_.contains(id)) return false;
    if (capacity_ == 0) return true;
    while (by_mac_.size() >= capacity_) {
        by_mac_.erase(by_expiry_.begin()->second);
        by_expiry_.erase(by_expiry_.begin());
    }
    by_mac_.emplace(id, expires);
    by_expiry_.emplace(expires, std::move(id));
    return true;
}

void TsigReplayMemory::clear() {
    by_mac_.clear();
    by_expiry_.clear();
}

void TsigReplayMemory::forget_expired(TsigSeconds now) {
    while (!by_expiry_.empty() && by_expiry_.begin()->first < now) {
        by_mac_.erase(by_expiry_.begin()->second);
        by_expiry_.erase(by_expiry_.begin());
    }
}

}  // namespace nswatch
