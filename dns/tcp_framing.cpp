#include "dns/tcp_framing.hpp"

#include <algorithm>

namespace nswatch {

bool TcpMessageBuffer::take(std::vector<uint8_t>& message) {
    const size_t avail = buf_.size() - start_;
    if (avail < 2) return false;
    const size_t size = static_cast<size_t>(buf_[start_]) << 8 | buf_[start_ + 1];
    if (avail < 2 + size) return false;
    const auto first = buf_.begin() + static_cast<std::ptrdiff_t>(start_ + 2);
    message.assign(first, first + static_cast<std::ptrdiff_t>(size));
    start_ += 2 + size;
    // Compact once the consumed part dominates, so a long-lived connection does not grow.
    if (start_ == buf_.size()) {
        buf_.clear();
        start_ = 0;
    } else if (start_ > 4096 && start_ * 2 > buf_.size()) {
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
    }
    return true;
}

std::vector<uint8_t> frame_message(std::span<const uint8_t> message) {
    const size_t size = std::min<size_t>(message.size(), 65535);
    // Sized once and filled: growing a two-octet vector trips g++ 12's -Warray-bounds.
    std::vector<uint8_t> out(2 + size);
    out[0] = static_cast<uint8_t>(size >> 8);
    out[1] = static_cast<uint8_t>(size & 0xFF);
    std::copy_n(message.begin(), size, out.begin() + 2);
    return out;
}

}  // namespace nswatch
