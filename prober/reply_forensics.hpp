// Reply forensics: why did a query time out although bytes arrived?
//
// IMPLEMENTATION NOTES
// c-ares matches replies to queries by ID, question and source address, and silently drops what does
// not match or does not parse. A server that answers with the wrong ID, the wrong question, garbage,
// or a TCP length prefix larger than the data therefore looks like a plain timeout. The engine's
// socket functions record the last few messages each channel sent and received (kSentSlots /
// kReplySlots, small because only the recent past can explain a timeout) and, when a query times
// out, explain_timeout() looks for a reply that was meant for it.
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

/// The IDs c-ares gave the queries it sent, keyed by a hash of the bytes after the ID.
class SentLog {
public:
    static constexpr size_t kSentSlots = 64;
    void record(bool stream, const uint8_t* data, size_t len);
    std::optional<uint16_t> id_for(uint64_t body_hash) const;

private:
    struct Entry {
        uint64_t body_hash = 0;  ///< FNV-1a of the message after its 2-byte ID
        uint16_t id = 0;         ///< the ID c-ares put on the wire
        bool used = false;       ///< slot holds an entry
    };
    std::array<Entry, kSentSlots> entries_{};
    size_t next_ = 0;
};

/// The last messages received on a channel's sockets (UDP datagrams, TCP byte streams).
class ReplyLog {
public:
    static constexpr size_t kReplySlots = 16;
    static constexpr size_t kStreamCap = 65535 + 2;
    void record(int fd, bool stream, const uint8_t* data, size_t len,
                std::chrono::steady_clock::time_point when);
    Verdict explain_timeout(const Query& asked, std::optional<uint16_t> sent_id,
                            std::chrono::steady_clock::time_point since) const;

private:
    struct Entry {
        int fd = -1;                                  ///< socket it arrived on
        bool stream = false;                          ///< TCP bytes (framed by length prefixes)
        std::vector<uint8_t> bytes;                   ///< the datagram, or the stream so far
        std::chrono::steady_clock::time_point when{};  ///< last arrival
    };
    std::array<Entry, kReplySlots> entries_{};
    size_t next_ = 0;
};

/// FNV-1a of a DNS message after its 2-byte ID.
uint64_t message_body_hash(const uint8_t* data, size_t len);

}  // namespace nswatch
