// ProbeResult and the small value types around it: what was asked of whom, and what came back.
// Plain values: copyable, comparable, printable. Nothing here does I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/extended_error.hpp"

namespace nswatch {

enum class Transport : uint8_t { udp, tcp };
enum class Family : uint8_t { ipv4, ipv6 };

/// Every way a probe can end. Checked in this order (dnsdist's habit): transport, size, ID, QR,
/// question, rcode, AA, TC.
enum class Outcome : uint8_t {
    ok,                 ///< NOERROR with AA (or RD answers, for recursive probes)
    timeout,            ///< nothing usable came back before the deadline
    refused,            ///< rcode REFUSED
    servfail,           ///< rcode SERVFAIL
    nxdomain,           ///< rcode NXDOMAIN
    formerr,            ///< rcode FORMERR (or another unexpected rcode, see ProbeResult::rcode)
    not_authoritative,  ///< NOERROR without AA from a server we asked as authoritative
    truncated,          ///< TC set on a UDP reply (a TCP retry follows as its own result)
    id_mismatch,        ///< a reply came, but for another query ID; none for ours
    question_mismatch,  ///< a reply with our ID but another question
    malformed,          ///< bytes that do not parse as a DNS message
    network_error,      ///< the socket failed: connection refused, unreachable, reset
    /// The question matches but the answer holds records for another name: an SOA whose owner is
    /// not the zone apex, or a record no CNAME/DNAME chain from the question leads to.
    wrong_owner,
    local_error,  ///< not sent: no descriptor or memory here (detail says which); not the
                  ///< server's doing, so it never counts against its health
};

/// The last Outcome: sizes arrays indexed by outcome (append new outcomes before updating it).
inline constexpr Outcome kLastOutcome = Outcome::local_error;

std::string_view to_string(Outcome o);
std::string_view to_string(Transport t);
std::string_view to_string(Family f);
std::optional<Outcome> outcome_from_string(std::string_view s);

/// Who is probed, from where, and how.
struct Target {
    std::string zone;        ///< the zone under watch, lower case, no trailing dot ("shop.test")
    std::string nameserver;  ///< NS name, lower case, no trailing dot
    std::string address;     ///< IPv4 or IPv6 literal
    Family family = Family::ipv4;
    std::string provider;  ///< provider the nameserver belongs to
    std::string vantage;   ///< vantage point name the probe leaves from
    Transport transport = Transport::udp;
    uint16_t port = 53;  ///< destination port (the lab's misbehaving server uses others)

    bool operator==(const Target&) const = default;
};

/// One EDNS option to send (RFC 6891 §6.1.2), e.g. an unassigned code to test that a server
/// ignores options it does not know.
struct EdnsOption {
    uint16_t code = 0;
    std::vector<uint8_t> data;

    bool operator==(const EdnsOption&) const = default;
};

/// What is asked. Built into wire format by ldns (prober/query.hpp).
struct Query {
    std::string name;   ///< owner name, no trailing dot needed
    uint16_t type = 6;  ///< RR type number (6 = SOA)
    bool recursion_desired = false;
    bool edns = true;  ///< add an OPT record
    uint16_t edns_buffer_size = 1232;
    bool nsid = true;                      ///< ask for NSID (RFC 5001); needs edns
    bool dnssec_ok = false;                ///< DO bit; needs edns
    uint8_t edns_version = 0;              ///< EDNS VERSION field; needs edns (1 tests BADVERS)
    std::vector<EdnsOption> edns_options;  ///< sent after NSID; needs edns

    bool operator==(const Query&) const = default;
};

/// One resource record in presentation form, canonicalised: owner lower case with trailing dot,
/// rdata as ldns prints it with names lower-cased.
struct Record {
    std::string owner;
    uint16_t type = 0;
    uint32_t ttl = 0;
    std::string rdata;

    bool operator==(const Record&) const = default;
    auto operator<=>(const Record&) const = default;
};

/// The SOA RDATA fields plus the record's TTL.
struct SoaFields {
    std::string mname;  ///< primary master name, lower case, trailing dot
    std::string rname;  ///< responsible mailbox, lower case, trailing dot
    uint32_t serial = 0;
    uint32_t refresh = 0;
    uint32_t retry = 0;
    uint32_t expire = 0;
    uint32_t minimum = 0;
    uint32_t ttl = 0;

    bool operator==(const SoaFields&) const = default;
};

/// The result of one probe: one query to one address over one transport.
struct ProbeResult {
    Target target;
    Query query;
    std::chrono::system_clock::time_point sent_wall{};  ///< wall clock when sent
    std::chrono::steady_clock::time_point sent_mono{};  ///< monotonic clock when sent
    /// Query written to reply at the socket (prober/wire_timestamps.hpp); for a timeout, the time
    /// to giving up. Over TCP it does not include the connection's handshake (connect_time).
    std::chrono::nanoseconds rtt{0};
    /// TCP handshake (SYN / SYN-ACK round trip) of the new connection this query waited for; none
    /// for UDP and for a query sent on a kept connection.
    std::optional<std::chrono::nanoseconds> connect_time;
    Outcome outcome = Outcome::timeout;
    int rcode = -1;                  ///< DNS rcode, -1 when no reply was parsed
    bool aa = false;                 ///< authoritative answer flag
    bool tc = false;                 ///< truncation flag
    bool ra = false;                 ///< recursion available flag
    bool ad = false;                 ///< authenticated data flag
    std::optional<SoaFields> soa;    ///< the SOA in the answer section, if any
    std::vector<Record> answer;      ///< answer section, canonical and sorted
    std::vector<Record> authority;   ///< authority section, canonical and sorted
    std::vector<Record> additional;  ///< additional section without OPT, canonical and sorted
    std::string nsid;                ///< NSID option payload as printable text, empty if none
    bool has_opt = false;            ///< the reply carried an OPT record
    uint8_t edns_version = 0;        ///< the reply's OPT VERSION (0 when there is no OPT)
    bool edns_do = false;            ///< the reply's OPT had the DO bit set
    std::vector<uint16_t> edns_option_codes;  ///< option codes in the reply's OPT, in order
    /// Extended DNS Errors (RFC 8914) in the reply's OPT, in order: why a server failed, or what
    /// is odd about its answer. Kept for every outcome, ok included (e.g. a stale answer).
    std::vector<ExtendedError> extended_errors;
    size_t reply_size = 0;         ///< bytes of the DNS message (without TCP length prefix)
    bool retried_from_tc = false;  ///< this TCP probe retried a truncated UDP reply
    /// With ProbeRequest::digest_reply: reply_digest of the reply (0: no reply).
    uint32_t reply_digest = 0;
    /// The reply's digest was the request's known_reply: only the header was read (outcome from
    /// its rcode, rcode, flags and reply_size); the sections are empty.
    bool same_reply = false;
    std::string detail;  ///< one human sentence for anything but ok, e.g. the parse error

    bool operator==(const ProbeResult&) const = default;

    double rtt_seconds() const { return std::chrono::duration<double>(rtt).count(); }
    bool answered() const { return rcode >= 0; }
};

std::string describe(const ProbeResult& r);  ///< one line, for logs and test failure messages

}  // namespace nswatch
