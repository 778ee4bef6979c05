#include "prober/reply_forensics.hpp"

#include <algorithm>
#include <span>

#include "prober/response.hpp"

namespace nswatch {

void ReplyLog::push(int fd, const uint8_t* data, size_t len,
                    std::chrono::steady_clock::time_point when) {
    Entry& e = entries_[next_];
    next_ = (next_ + 1) % kReplySlots;
    e.fd = fd;
    e.bytes.assign(data, data + len);
    e.when = when;
}

void ReplyLog::record(int fd, bool stream, const uint8_t* data, size_t len,
                      std::chrono::steady_clock::time_point when) {
    if (!stream) {
        push(fd, data, len, when);
        return;
    }
    auto it = std::find_if(partial_.begin(), partial_.end(),
                           [fd](const Partial& p) { return p.fd == fd; });
    if (it == partial_.end()) it = partial_.insert(partial_.end(), Partial{fd, {}, when});
    std::vector<uint8_t>& buf = it->bytes;
    // Whole messages leave the buffer below, so what stays is less than one message (at most
    // 65535 bytes plus its prefix): no cap needed, however long the connection lives.
    buf.insert(buf.end(), data, data + len);
    it->when = when;
    size_t used = 0;
    while (buf.size() - used >= 2) {
        const size_t frame = (static_cast<size_t>(buf[used]) << 8) | buf[used + 1];
        if (buf.size() - used - 2 < frame) break;
        push(fd, buf.data() + used + 2, frame, when);
        used += 2 + frame;
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(used));
    if (buf.empty()) partial_.erase(it);
}

void ReplyLog::closed(int fd) {
    std::erase_if(partial_, [fd](const Partial& p) { return p.fd == fd; });
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

Verdict ReplyLog::explain(const Query& asked, uint16_t sent_id,
                          std::chrono::steady_clock::time_point since) const {
    Verdict best;
    best.detail = "no reply before the deadline";
    auto consider = [&best](Verdict v) {
        if (rank(v.outcome) > rank(best.outcome)) best = std::move(v);
    };
    for (const Entry& e : entries_) {
        if (e.fd < 0 || e.when < since) continue;
        consider(judge_message(e.bytes, asked, sent_id));
    }
    for (const Partial& p : partial_) {
        if (p.when < since) continue;
        const std::string promised =
            p.bytes.size() >= 2
                ? "length prefix says " + std::to_string((size_t{p.bytes[0]} << 8) | p.bytes[1]) +
                      " bytes, " + std::to_string(p.bytes.size() - 2) + " arrived"
                : "1 byte of a 2-byte length prefix arrived";
        consider({Outcome::malformed, "TCP reply incomplete: " + promised,
                  p.bytes.size() >= 2 ? p.bytes.size() - 2 : 0});
    }
    return best;
}

}  // namespace nswatch
