// Reply forensics: why did a query time out although bytes arrived?
//
// IMPLEMENTATION NOTES
// c-ares matches replies to queries by ID, question and source address, and silently drops what
// does not match or does not parse. A server that answers with the wrong ID, the wrong question,
// garbage, or a TCP length prefix larger than the data therefore looks like a plain timeout. The
// engine's socket functions record the last few messages each channel received (kReplySlots, small
// because only the recent past can explain a timeout) and, when a query times out,
// explain_timeout() looks for a reply that was meant for it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "prober/probe_result.hpp"

namespace nswatch {

/// Why a query that c-ares timed out ended: timeout, id_mismatch, question_mismatch or malformed.
struct Verdict {
    Outcome outcome = Outcome::timeout;  ///< the classification
    std::string detail;                  ///< one sentence naming the evidence
    size_t reply_size = 0;               ///< size of the reply that explains it, 0 if none
};

/// The last messages received on a channel's sockets (UDP datagrams, TCP byte streams).
class ReplyLog {
  public:
    static constexpr size_t kReplySlots = 16;
    static constexpr size_t kStreamCap = 65535 + 2;
    void record(int fd, bool stream, const uint8_t* data, size_t len,
                std::chrono::steady_clock::time_point when);
    Verdict explain_timeout(const Query& asked, uint16_t sent_id,
                            std::chrono::steady_clock::time_point since) const;

  private:
    struct Entry {
        int fd = -1;                                   ///< socket it arrived on
        bool stream = false;                           ///< TCP bytes (framed by length prefixes)
        std::vector<uint8_t> bytes;                    ///< the datagram, or the stream so far
        std::chrono::steady_clock::time_point when{};  ///< last arrival
    };
    std::array<Entry, kReplySlots> entries_{};
    size_t next_ = 0;
};

}  // namespace nswatch
