#include "prober/reply_forensics.hpp"

#include <span>

#include "prober/response.hpp"

namespace nswatch {

void ReplyLog::record(int fd, bool stream, const uint8_t* data, size_t len,
                      std::chrono::steady_clock::time_point when) {
    if (stream) {
        for (auto& e : entries_) {
            if (e.stream && e.fd == fd) {
                const size_t room = kStreamCap - std::min(kStreamCap, e.bytes.size());
                e.bytes.insert(e.bytes.end(), data, data + std::min(len, room));
                e.when = when;
                return;
            }
        }
    }
    Entry& e = entries_[next_];
    next_ = (next_ + 1) % kReplySlots;
    e.fd = fd;
    e.stream = stream;
    e.bytes.assign(data, data + len);
    e.when = when;
}

namespace {

// Rank verdicts: a reply that was clearly meant for us but wrong beats garbage, garbage beats
// nothing.
int rank(Outcome o) {
    switch (o) {
        case Outcome::question_mismatch:
        case Outcome::id_mismatch:
            return 3;
        case Outcome::malformed:
            return 2;
        default:
            return 0;
    }
}

Verdict judge_message(std::span<const uint8_t> msg, const Query& asked, uint16_t sent_id) {
    ProbeResult probe;
    ReplyExpectation expect;
    expect.query = &asked;
    expect.expect_authoritative = false;
    parse_reply(msg, expect, probe);
    if (probe.outcome == Outcome::malformed) return {Outcome::malformed, probe.detail, msg.size()};
    const uint16_t id = static_cast<uint16_t>((msg[0] << 8) | msg[1]);
    const bool same_id = sent_id == id;
    if (same_id && probe.outcome == Outcome::question_mismatch) {
        return {Outcome::question_mismatch, probe.detail, msg.size()};
    }
    if (!same_id && probe.outcome != Outcome::question_mismatch) {
        return {Outcome::id_mismatch,
                "a reply to our question came with ID " + std::to_string(id) + ", query ID " +
                    std::to_string(sent_id),
                msg.size()};
    }
    return {};
}

}  // namespace

Verdict ReplyLog::explain_timeout(const Query& asked, uint16_t sent_id,
                                  std::chrono::steady_clock::time_point since) const {
    Verdict best;
    best.detail = "no reply before the deadline";
    auto consider = [&best](Verdict v) {
        if (rank(v.outcome) > rank(best.outcome)) best = std::move(v);
    };
    for (const Entry& e : entries_) {
        if (e.fd < 0 || e.when < since) continue;
        std::span<const uint8_t> rest(e.bytes);
        if (!e.stream) {
            consider(judge_message(rest, asked, sent_id));
            continue;
        }
        while (rest.size() >= 2) {
            const size_t frame = (static_cast<size_t>(rest[0]) << 8) | rest[1];
            if (frame + 2 > rest.size()) {
                consider({Outcome::malformed,
                          "TCP reply incomplete: length prefix says " + std::to_string(frame) +
                              " bytes, " + std::to_string(rest.size() - 2) + " arrived",
                          rest.size() - 2});
                break;
            }
            consider(judge_message(rest.subspan(2, frame), asked, sent_id));
            rest = rest.subspan(frame + 2);
        }
    }
    return best;
}

}  // namespace nswatch
