// Classifying and parsing reply bytes: the one place untrusted DNS bytes are read.
// Pure: no sockets, no clock. The fuzz target (tests/fuzz/reply_fuzz.cpp) calls parse_reply.
#pragma once

#include <cstdint>
#include <span>

#include "dns/probe_result.hpp"

namespace nswatch {

struct ReplyExpectation {
    const Query* query = nullptr;      ///< what was asked (question must match)
    int expected_id = -1;              ///< -1: do not check the ID (c-ares already matched it)
    bool expect_authoritative = true;  ///< NOERROR without AA is not_authoritative
    /// Fill `authority` and `additional` of an ok reply too (they are always filled otherwise,
    /// for the failure's details). The daemon's rounds read only the answer: converting the NS
    /// and glue records of every SOA reply to text is most of the parsing cost.
    bool ok_extra_sections = true;
    /// The question's name as ldns wrote it into the query (wire form); empty: parse query->name
    /// again. The engine keeps it from the query it sent, so a reply costs no name parsing.
    std::span<const uint8_t> asked_wire;
};

/// Fill the reply part of `out` (outcome, rcode, flags, sections, SOA, NSID, size, detail) from the
/// bytes of one DNS message. Checks in a fixed order: size, parse, ID, QR, opcode, question, rcode,
/// TC, AA. Never throws; anything unparseable is Outcome::malformed with the reason in detail.
void parse_reply(std::span<const uint8_t> bytes, const ReplyExpectation& expect, ProbeResult& out);

/// A 32-bit digest of a reply's octets after its ID: equal for the same octets; for other octets
/// equal by chance once in 2^32 (a changed answer would then be taken for the one before, for as
/// long as it stays the same). Not cryptographic: a server could craft a
/// collision with its own earlier reply, which would only repeat a verdict on that server.
/// Never 0.
uint32_t reply_digest(std::span<const uint8_t> bytes);

/// The header of a reply already known (ProbeRequest::known_reply): rcode, AA, TC, RA, AD, size,
/// and the outcome its rcode gives (ok for NOERROR). Messages shorter than a header are left
/// as they are.
void read_reply_header(std::span<const uint8_t> bytes, ProbeResult& out);

}  // namespace nswatch
