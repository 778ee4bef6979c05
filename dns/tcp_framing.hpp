// DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): each message preceded by its length in two
// octets. Collects what a connection delivers, in whatever pieces, and hands back whole messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace nswatch {

class TcpMessageBuffer {
  public:
    /// Octets as they came off the socket.
    void append(std::span<const uint8_t> data) {
        buf_.insert(buf_.end(), data.begin(), data.end());
    }
    /// The next whole message (without its length), false when none is complete yet.
    bool take(std::vector<uint8_t>& message);
    /// Octets of an incomplete message are waiting (a connection that ends now was cut short).
    bool partial() const { return buf_.size() > start_; }

  private:
    std::vector<uint8_t> buf_;
    size_t start_ = 0;  ///< first octet not yet handed out
};

/// `message` with its two-octet length in front (messages longer than 65,535 octets are cut off
/// there; DNS messages never are).
std::vector<uint8_t> frame_message(std::span<const uint8_t> message);

}  // namespace nswatch
