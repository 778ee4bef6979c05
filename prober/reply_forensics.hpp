// Reply forensics: why did a query fail although bytes arrived?
//
// IMPLEMENTATION NOTES
// c-ares matches replies to queries by ID, question and source address, and silently drops what
// does not match or does not parse. A server that answers with the wrong ID, the wrong question,
// garbage, or a TCP length prefix larger than the data therefore looks like a plain timeout; one
// that answers another question over TCP and then closes the connection looks unreachable
// (ARES_ECONNREFUSED). The engine's socket functions record the last few messages each channel
// received (kReplySlots, small because only the recent past can explain a failure) and, when a
// query times out or its connection fails, explain() looks for a reply that was meant for it.
// TCP bytes are cut into messages at their length prefixes as they arrive, so each message keeps
// its own arrival time and a long-lived connection never fills a buffer; bytes of a message not
// complete yet are kept per socket until it closes.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// Why a query that c-ares failed ended: timeout, id_mismatch, question_mismatch or malformed.
struct Verdict {
    Outcome outcome = Outcome::timeout;  ///< the classification
    std::string detail;                  ///< one sentence naming the evidence
    size_t reply_size = 0;               ///< size of the reply that explains it, 0 if none
};

/// The last messages received on a channel's sockets (UDP datagrams, framed TCP messages).
class ReplyLog {
  public:
    static constexpr size_t kReplySlots = 16;
    /// Bytes received on `fd`: one datagram, or the next bytes of a TCP stream (`stream`).
    void record(int fd, bool stream, const uint8_t* data, size_t len,
                std::chrono::steady_clock::time_point when);
    /// `fd` was closed: a later socket with the same number starts a new stream.
    void closed(int fd);
    /// The most telling reply to `asked` (query ID `sent_id`) that arrived at or after `since`;
    /// Outcome::timeout with "no reply before the deadline" when none explains anything.
    Verdict explain(const Query& asked, uint16_t sent_id,
                    std::chrono::steady_clock::time_point since) const;
    Verdict explain_timeout(const Query& asked, uint16_t sent_id,
                            std::chrono::steady_clock::time_point since) const {
        return explain(asked, sent_id, since);
    }

  private:
    struct Entry {
        int fd = -1;                                   ///< socket it arrived on
        std::vector<uint8_t> bytes;                    ///< one DNS message (no length prefix)
        std::chrono::steady_clock::time_point when{};  ///< arrival
    };
    struct Partial {
        int fd = -1;                                   ///< TCP socket
        std::vector<uint8_t> bytes;                    ///< length prefix and what followed so far
        std::chrono::steady_clock::time_point when{};  ///< last arrival
    };
    void push(int fd, const uint8_t* data, size_t len, std::chrono::steady_clock::time_point when);

    std::array<Entry, kReplySlots> entries_{};
    size_t next_ = 0;
    std::vector<Partial> partial_;  ///< one per open TCP socket with bytes of an unfinished message
};

}  // namespace nswatch
