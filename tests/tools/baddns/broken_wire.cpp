// The modes whose point is a broken wire format: raw bytes no encoder would write. Hand-written
// bytes carry a comment per byte, so a reader can check them against RFC 1035 §4.1.
#include <algorithm>
#include <cstddef>

#include "baddns.hpp"

namespace nswatch::baddns {

// Deterministic filler for `garbage`: the same bytes on every run, so a failure reproduces.
std::vector<uint8_t> garbage_bytes(uint16_t id) {
    std::vector<uint8_t> out;
    out.push_back(static_cast<uint8_t>(id >> 8));  // ID, high byte: echoed, so it looks like a
    out.push_back(static_cast<uint8_t>(id));       // ID, low byte:  reply to this query
    uint32_t state = 0x6e737761;                   // fixed xorshift32 seed ("nswa")
    while (out.size() < 40) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        out.push_back(static_cast<uint8_t>(state >> 24));
    }
    return out;
}

std::vector<uint8_t> short_bytes(uint16_t id) {
    return {
        static_cast<uint8_t>(id >> 8),  // ID, high byte (echoed)
        static_cast<uint8_t>(id),       // ID, low byte (echoed)
        0x84,                           // QR + AA, opcode QUERY, not TC, not RD
        0x00,                           // RA=0, Z=0, rcode NOERROR
        0x00,                           // QDCOUNT, high byte
        0x01,                           // QDCOUNT, low byte = 1
        0x00,                           // ANCOUNT, high byte ... and the header stops here (7 < 12)
    };
}

/// An SOA answer with ANCOUNT=1 whose bytes stop in the middle of that answer RR.
std::vector<uint8_t> truncated_packet_bytes(const Zone& zone, const Incoming& q) {
    // No OPT, no authority: the answer RR is the last thing in the message, so cutting the
    // message cuts the RR (and the header still claims ANCOUNT=1, ARCOUNT=0).
    PktPtr reply = reply_skeleton(q, false);
    ldns_pkt_set_aa(reply.get(), true);
    ldns_pkt_push_rr(reply.get(), LDNS_SECTION_ANSWER, ldns_rr_clone(zone.soa()));
    std::vector<uint8_t> wire = to_wire(reply.get());
    // The question name is the first name in the message, so ldns writes it uncompressed.
    const size_t answer_start = 12 + ldns_rdf_size(ldns_rr_owner(q.question)) + 4;
    wire.resize(answer_start + (wire.size() - answer_start) / 2);
    return wire;
}

/// A TCP length prefix of 512 followed by only the first 30 bytes of a correct reply.
std::vector<uint8_t> tcp_length_lie_bytes(const Zone& zone, const Incoming& q) {
    std::vector<uint8_t> out = {
        0x02,  // length prefix, high byte: 0x0200 = 512 bytes promised ...
        0x00,  // length prefix, low byte
    };
    const std::vector<uint8_t> wire = to_wire(ok_reply(zone, q).get());
    const size_t sent = std::min<size_t>(wire.size(), 30);  // ... and only 30 delivered
    out.insert(out.end(), wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(sent));
    return out;
}

}  // namespace nswatch::baddns
