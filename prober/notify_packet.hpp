// Judging one incoming DNS NOTIFY (RFC 1996) and building its answer. Pure: bytes, the sender's
// address and a policy in, a decision (and the reply bytes) out; no sockets, no clock. The
// listener (prober/notify_listener.hpp) does the I/O; tests and the fuzz target call this.
//
// IMPLEMENTATION NOTES
// - Checked in a fixed order, each failure its own verdict: size, parse, QR (a response is never
//   answered: answering could start a loop), opcode, question, source, zone, TSIG.
// - Unparseable bytes and responses are dropped without a reply (malformed); everything that
//   parses as a query gets an answer with the request's ID and question: NOTIMP for another
//   opcode, FORMERR for a bad question, REFUSED for an unlisted source or an unwatched zone,
//   NOTAUTH for a missing or failing TSIG when keys are configured (RFC 8945 §5.2; the TSIG error
//   field itself is not sent back, the reply is unsigned as the RFC asks for BADKEY/BADSIG).
// - An accepted NOTIFY signed with a key is answered signed with that key, over the request MAC.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nswatch {

/// A TSIG key (RFC 8945).
struct TsigKey {
    /// Key name, lower case, no trailing dot ("notify-key").
    std::string name;
    /// Algorithm as ldns names it: hmac-md5.sig-alg.reg.int, hmac-sha1, hmac-sha224, hmac-sha256,
    /// hmac-sha384, hmac-sha512 (no trailing dot).
    std::string algorithm = "hmac-sha256";
    /// The shared secret, base64 as in BIND's key statement.
    std::string secret;

    bool operator==(const TsigKey&) const = default;
};

/// Who may send NOTIFY and for what.
struct NotifyPolicy {
    /// Allowed senders: address literals or CIDR prefixes ("127.53.1.1", "fd00:53::1:0/112").
    std::vector<std::string> allowed_sources;
    /// When non-empty, a NOTIFY must be TSIG-signed with one of these keys.
    std::vector<TsigKey> keys;
    /// Zones under watch (lower case, no trailing dot); NOTIFY for others is refused.
    std::vector<std::string> zones;
};

enum class NotifyVerdict {
    accepted,        ///< answered NOERROR; a propagation run may start
    malformed,       ///< dropped without a reply: too short, unparseable, or a response
    not_notify,      ///< a query with another opcode: NOTIMP
    bad_question,    ///< not exactly one SOA/IN question: FORMERR
    refused_source,  ///< sender not in the allowed sources: REFUSED
    refused_zone,    ///< zone not under watch: REFUSED
    bad_tsig,        ///< keys required and the TSIG is missing, unknown or wrong: NOTAUTH
};

std::string_view to_string(NotifyVerdict v);

struct NotifyDecision {
    NotifyVerdict verdict = NotifyVerdict::malformed;
    /// The zone named in the question, lower case, no trailing dot (empty when unparseable).
    std::string zone;
    /// The serial of the SOA the sender put in the answer section, if it did (RFC 1996 §3.7).
    std::optional<uint32_t> serial;
    /// The key that signed it, when signed and verified.
    std::string key_name;
    /// One sentence for logs when not accepted.
    std::string detail;
    /// Reply bytes (DNS message without TCP length prefix); empty = send nothing.
    std::vector<uint8_t> reply;
};

/// Judge the NOTIFY in `bytes` that came from `source` (an address literal). Never throws.
NotifyDecision judge_notify(std::span<const uint8_t> bytes, std::string_view source,
                            const NotifyPolicy& policy);

/// `address` (a literal) lies in `pattern` (a literal or CIDR prefix). False for bad input.
bool address_matches(std::string_view address, std::string_view pattern);

/// `pattern` is an address literal or a CIDR prefix with a valid length.
bool valid_address_pattern(std::string_view pattern);

}  // namespace nswatch
