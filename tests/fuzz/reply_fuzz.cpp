// Fuzz target for nswatch::parse_reply, the one place untrusted DNS bytes are read.
//
// Built two ways: as a real libFuzzer binary by tests/fuzz/build.sh, and as nswatch_fuzz_replay
// (with replay_main.cpp), which feeds the committed corpus through it on every ctest run.
//
// Besides "does not crash" (ASan/UBSan do that part), it checks only what prober/response.hpp and
// dns/probe_result.hpp promise. A broken promise is __builtin_trap(): libFuzzer saves the input
// and the replay test dies on it, both pointing at the input that did it.

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/probe_result.hpp"
#include "prober/response.hpp"

namespace {

using nswatch::Outcome;
using nswatch::ProbeResult;

// The ID the committed seeds were captured with (see make_seeds.cpp and capture_baddns.py), so
// that the fixed-ID run reaches the checks after the ID check.
constexpr int kSeedId = 0x1234;

void require(bool promise) {
    if (!promise) __builtin_trap();
}

bool is_rcode_outcome(Outcome o) {
    return o == Outcome::ok || o == Outcome::refused || o == Outcome::servfail ||
           o == Outcome::nxdomain || o == Outcome::formerr || o == Outcome::truncated ||
           o == Outcome::not_authoritative;
}

ProbeResult parse(std::span<const uint8_t> bytes, const nswatch::Query& query, int expected_id) {
    nswatch::ReplyExpectation expect;
    expect.query = &query;
    expect.expected_id = expected_id;
    expect.expect_authoritative = true;
    ProbeResult out;
    out.query = query;
    nswatch::parse_reply(bytes, expect, out);  // "never throws": an exception ends the process
    return out;
}

void check(std::span<const uint8_t> bytes, int expected_id, const ProbeResult& r) {
    const Outcome o = r.outcome;
    const bool has_header = bytes.size() >= 12;
    const int wire_id = bytes.size() >= 2 ? (bytes[0] << 8) | bytes[1] : -1;

    // reply_size: "bytes of the DNS message".
    require(r.reply_size == bytes.size());
    // Bytes alone never mean the network failed or nothing came back.
    require(o != Outcome::timeout && o != Outcome::network_error);
    // rcode: "-1 when no reply was parsed", and something that could not be parsed is malformed.
    require(r.rcode >= -1 && r.rcode <= 4095);  // 4 header bits + 8 extended bits
    if (r.rcode == -1) require(o == Outcome::malformed);
    // "anything unparseable is Outcome::malformed with the reason in detail".
    if (o == Outcome::malformed) require(!r.detail.empty());
    // Flags and sections come from a parsed header only, and say what the header says.
    if (r.answered()) {
        require(has_header);
        require(r.aa == ((bytes[2] & 0x04) != 0));
        require(r.tc == ((bytes[2] & 0x02) != 0));
    } else {
        require(!r.soa.has_value());
    }
    // expected_id -1: "do not check the ID".
    if (expected_id < 0) require(o != Outcome::id_mismatch);
    if (o == Outcome::id_mismatch) require(wire_id >= 0 && wire_id != expected_id);
    // Checked in order size, parse, ID, QR, opcode, question, rcode, TC, AA: any outcome decided
    // at or after the question check had a parsed reply with our ID, QR set and opcode QUERY.
    if (is_rcode_outcome(o) || o == Outcome::question_mismatch || o == Outcome::wrong_owner) {
        require(r.answered() && has_header);
        require((bytes[2] & 0x80) != 0);         // QR
        require(((bytes[2] >> 3) & 0x0f) == 0);  // opcode QUERY
        if (expected_id >= 0) require(wire_id == expected_id);
    }
    switch (o) {
        case Outcome::ok:
            require(r.rcode == 0 && r.aa && !r.tc);
            break;
        case Outcome::not_authoritative:
            require(r.rcode == 0 && !r.aa && !r.tc);
            break;
        case Outcome::truncated:
            require(r.rcode == 0 && r.tc);
            break;
        case Outcome::refused:
            require(r.rcode == 5);
            break;
        case Outcome::servfail:
            require(r.rcode == 2);
            break;
        case Outcome::nxdomain:
            require(r.rcode == 3);
            break;
        case Outcome::formerr:  // "FORMERR (or another unexpected rcode)"
            require(r.rcode != 0 && r.rcode != 2 && r.rcode != 3 && r.rcode != 5);
            break;
        case Outcome::wrong_owner:  // another name's records: none of it counts, and it says why
            require(!r.soa.has_value() && !r.detail.empty());
            break;
        default:
            break;
    }
    // A reply that passed the owner check carries no SOA but the question name's own (the zone
    // apex): another zone's serial never reaches the caller.
    if (r.answered() && o != Outcome::question_mismatch && o != Outcome::wrong_owner &&
        o != Outcome::id_mismatch && o != Outcome::malformed) {
        for (const auto& rec : r.answer) require(rec.type != 6 || rec.owner == "shop.test.");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nswatch::Query query;
    query.name = "shop.test";
    query.type = 6;  // SOA
    const std::span<const uint8_t> bytes(data, size);

    const ProbeResult any_id = parse(bytes, query, -1);
    check(bytes, -1, any_id);
    const ProbeResult fixed_id = parse(bytes, query, kSeedId);
    check(bytes, kSeedId, fixed_id);

    // "Pure: no sockets, no clock": the same bytes give the same result.
    require(parse(bytes, query, -1) == any_id);
    // When the ID is the expected one, checking it changes nothing.
    if (size >= 2 && ((data[0] << 8) | data[1]) == kSeedId) require(fixed_id == any_id);
    return 0;
}
