// Signing a DNS message with TSIG (RFC 8945 §4.3) at a time the caller gives, with an error code
// and Other Data of its choosing. ldns_pkt_tsig_sign reads the clock itself and always signs error
// 0 with empty Other Data, so it can neither answer BADTIME (RFC 8945 §5.2.3) nor be tested on a
// virtual clock. ldns builds every name, field and the message wire; OpenSSL computes the HMAC.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dns/notify_packet.hpp"

// ldns's types, declared as ldns does: <ldns/ldns.h> defines macros that break <optional> when
// included before it, so headers leave it to the .cpp files.
typedef struct ldns_struct_pkt ldns_pkt;
typedef struct ldns_struct_rdf ldns_rdf;

namespace nswatch {

/// TSIG error codes (RFC 8945 §3).
inline constexpr uint16_t kTsigBadSig = 16;
inline constexpr uint16_t kTsigBadKey = 17;
inline constexpr uint16_t kTsigBadTime = 18;

/// The fields of a TSIG RR the signer chooses (the key gives name and algorithm).
struct TsigFields {
    uint64_t time_signed = 0;         ///< seconds since the epoch (48 bits on the wire)
    uint16_t fudge = 300;             ///< seconds of clock skew allowed either way
    uint16_t error = 0;               ///< 0 or one of the kTsig* codes
    std::vector<uint8_t> other_data;  ///< BADTIME: the server's time (tsig_time_bytes)
};

/// Appends a TSIG RR signed with `key` and `fields` to `pkt` (which must not have one yet).
/// `request_mac` is the MAC rdf of the request being answered (as ldns parses it), null when
/// signing a request. Returns an empty string on success, else what went wrong.
std::string tsig_sign(ldns_pkt* pkt, const TsigKey& key, const TsigFields& fields,
                      const ldns_rdf* request_mac);

/// `seconds` as the 48-bit big-endian time TSIG uses (Time Signed, BADTIME's Other Data).
std::vector<uint8_t> tsig_time_bytes(uint64_t seconds);

/// Reads the 48-bit time in `bytes` into `seconds`; false when there are not exactly 6 bytes.
bool tsig_read_time(const uint8_t* bytes, size_t size, uint64_t& seconds);

}  // namespace nswatch
