// The time and replay checks of a verified TSIG (RFC 8945 §5.2.3), pure and clock-injected: the
// caller passes `now`. A MAC proves who signed a message, not when it was sent; without these
// checks a NOTIFY captured once is a NOTIFY forever.
//
// IMPLEMENTATION NOTES
// - The window is Time Signed ± fudge, the fudge being the request's, capped by ours: a sender
//   may ask for a narrower window, never a wider one, so how long a MAC must be remembered is
//   bounded by our cap (RFC 8945 §10 leaves the window to local policy; 300 s is its advice).
// - Replays: a message inside the window is remembered by its key and MAC until its window
//   closes; after that the time check rejects it anyway. Only messages that passed the MAC and
//   time checks are remembered, so filling the memory takes the key. At capacity the entry
//   whose window closes first is forgotten to make room (a burst of legitimate NOTIFYs is never
//   refused for want of memory).
// - RFC 8945 §5.2.3 also suggests refusing a Time Signed earlier than the key's newest; not done:
//   UDP reorders, and a primary notifying two zones in one second would see one refused. The MAC
//   memory catches every exact replay without that cost.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace nswatch {

/// Seconds since the epoch, as TSIG counts time.
using TsigSeconds = int64_t;

/// Seconds since the epoch of `t` (rounded down).
TsigSeconds tsig_seconds(std::chrono::system_clock::time_point t);

/// `time_signed` with `fudge` lies around `now`: |now - time_signed| <= fudge (the edges count).
bool tsig_time_ok(TsigSeconds now, TsigSeconds time_signed, uint16_t fudge);

/// MACs of recent signed messages, to refuse a second arrival of the same one.
class TsigReplayMemory {
  public:
    /// A primary rate-limited like BIND (20 NOTIFYs/s) fills 12,000 over a 600 s window; each
    /// entry costs about 250 bytes.
    static constexpr size_t kDefaultCapacity = 16384;

    explicit TsigReplayMemory(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

    /// First sighting of the MAC `mac` of key `key_name` at `now`: remembered until
    /// `expires` (the end of its time window) and true. Seen before and not expired: false.
    bool first_sighting(std::string_view key_name, std::span<const uint8_t> mac,
                        TsigSeconds expires, TsigSeconds now);
    /// MACs remembered now (expired ones go at the next first_sighting).
    size_t size() const { return by_mac_.size(); }
    /// Forget all (tests; keys changed).
    void clear();

  private:
    void forget_expired(TsigSeconds now);

    size_t capacity_;
    std::unordered_map<std::string, TsigSeconds> by_mac_;      ///< key name \0 MAC -> expiry
    std::set<std::pair<TsigSeconds, std::string>> by_expiry_;  ///< the same, soonest first
};

}  // namespace nswatch
