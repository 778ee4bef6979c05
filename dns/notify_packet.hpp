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
//   NOTAUTH for a TSIG that fails when keys are configured (RFC 8945 §5.2).
// - TSIG, in RFC 8945 §5.2's order: key (BADKEY), MAC (BADSIG), time (BADTIME), then replay.
//   BADKEY, BADSIG and a missing TSIG are answered NOTAUTH unsigned (§5.2.1, §5.2.2: "This
//   response MUST be unsigned"; no TSIG error field is sent back). BADTIME is answered NOTAUTH
//   signed with the request's key, carrying TSIG error BADTIME, the request's Time Signed and
//   fudge, and our time in Other Data (§5.2.3), so a sender with a wrong clock can trust it and
//   see by how much.
// - A replay (a MAC already accepted inside its window, dns/tsig_guard.hpp) is answered like
//   BADTIME: §5.2.3 names BADTIME for a Time Signed not newer than one already seen, and a copy
//   is the extreme case. A primary that resent a NOTIFY whose answer was lost gets this too; its
//   first copy was accepted, so nothing is missed.
// - An accepted NOTIFY signed with a key is answered signed with that key, over the request MAC,
//   at `now` (dns/tsig_sign.hpp signs; ldns_pkt_tsig_sign would read the clock itself).
#pragma once

#include <chrono>
#include <cstddef>
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
    /// Widest TSIG time window accepted: Time Signed ± min(the request's fudge, this), seconds.
    uint16_t max_fudge = 300;
};

enum class NotifyVerdict {
    accepted,        ///< answered NOERROR; a propagation run may start
    malformed,       ///< dropped without a reply: too short, unparseable, or a response
    not_notify,      ///< a query with another opcode: NOTIMP
    bad_question,    ///< not exactly one SOA/IN question: FORMERR
    refused_source,  ///< sender not in the allowed sources: REFUSED
    refused_zone,    ///< zone not under watch: REFUSED
    unsigned_tsig,   ///< keys required and no TSIG: NOTAUTH
    bad_key,         ///< signed with a key (or algorithm) not configured: NOTAUTH (BADKEY)
    bad_sig,         ///< the MAC does not verify: NOTAUTH (BADSIG)
    bad_time,        ///< Time Signed outside the fudge window: NOTAUTH, signed BADTIME
    replayed,        ///< a copy of a message already accepted: NOTAUTH, signed BADTIME
};

/// Number of verdicts (for per-verdict arrays).
inline constexpr size_t kNotifyVerdicts = 11;

/// The verdict's name, also the `reason` label of nswatch_notify_rejected_total: "unsigned",
/// "bad_key", "bad_sig", "bad_time", "replayed", or the enumerator's name.
std::string_view to_string(NotifyVerdict v);

/// The `verdict` label of nswatch_notify_messages_total: to_string, except that unsigned, bad_key
/// and bad_sig are counted together as "bad_tsig" (the label predates the split).
std::string_view metric_verdict(NotifyVerdict v);

class TsigReplayMemory;

struct NotifyDecision {
    NotifyVerdict verdict = NotifyVerdict::malformed;
    /// The zone named in the question, lower case, no trailing dot (empty when unparseable).
    std::string zone;
    /// The serial of the SOA the sender put in the answer section, if it did (RFC 1996 §3.7).
    std::optional<uint32_t> serial;
    /// The key that signed it, when signed and verified.
    std::string key_name;
    /// One sentence for logs when not accepted (or when the reply could not be signed).
    std::string detail;
    /// Reply bytes (DNS message without TCP length prefix); empty = send nothing.
    std::vector<uint8_t> reply;
};

/// Judge the NOTIFY in `bytes` that came from `source` (an address literal) at wall-clock time
/// `now`. `replays` (may be null: no replay check) remembers accepted MACs across calls. Never
/// throws.
NotifyDecision judge_notify(std::span<const uint8_t> bytes, std::string_view source,
                            const NotifyPolicy& policy, std::chrono::system_clock::time_point now,
                            TsigReplayMemory* replays);

/// `address` (a literal) lies in `pattern` (a literal or CIDR prefix). False for bad input.
bool address_matches(std::string_view address, std::string_view pattern);

/// `pattern` is an address literal or a CIDR prefix with a valid length.
bool valid_address_pattern(std::string_view pattern);

}  // namespace nswatch
