// LastProbe: what a TargetState keeps of its newest probe result. A whole ProbeResult (with its
// own Target, Query and record sections) is ~560 bytes inline plus its strings, per target: at
// 100,000 zones it would be the largest part of the daemon's memory. This keeps the scalars inline
// and the parts that are usually the same for every target of a zone (the query name, the SOA, the
// answer, the NSID, the detail) in one shared, immutable LastReply, which the tracker reuses
// when an equal one is already held (LastReplies).
//
// The status API shows the last result as the whole ProbeResult it always showed: to_probe_result
// rebuilds it (without the authority and additional sections, which history has).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// The shared part of a LastProbe: immutable once made.
struct LastReply {
    std::string query_name;        ///< the query's owner name
    std::optional<SoaFields> soa;  ///< the SOA in the answer section, if any
    std::vector<Record> answer;    ///< answer section (RRSIGs feed the signature-expiry checks)
    std::string nsid;              ///< NSID payload as printable text, empty if none
    std::string detail;            ///< the result's human sentence, empty when ok
    std::vector<ExtendedError> extended_errors;  ///< RFC 8914 errors of the reply

    bool operator==(const LastReply&) const = default;
};

/// The newest probe result of a target, compact. Scalars as in ProbeResult.
struct LastProbe {
    std::chrono::system_clock::time_point sent_wall{};  ///< wall clock when sent
    std::chrono::nanoseconds rtt{0};                    ///< send to reply (or to giving up)
    uint32_t reply_size = 0;                            ///< bytes of the DNS message
    Outcome outcome = Outcome::timeout;                 ///< how the probe ended
    int16_t rcode = -1;                                 ///< DNS rcode, -1 when none was parsed
    uint16_t query_type = 6;                            ///< the query's RR type
    uint16_t edns_buffer_size = 1232;                   ///< the query's EDNS buffer size
    bool aa = false;                                    ///< authoritative answer flag
    bool tc = false;                                    ///< truncation flag
    bool ra = false;                                    ///< recursion available flag
    bool ad = false;                                    ///< authenticated data flag
    bool has_opt = false;                               ///< the reply carried an OPT record
    bool retried_from_tc = false;                       ///< TCP retry of a truncated UDP reply
    bool recursion_desired = false;                     ///< the query's RD bit
    bool edns = true;                                   ///< the query had an OPT record
    bool nsid_asked = true;                             ///< the query asked for NSID
    bool dnssec_ok = false;                             ///< the query's DO bit
    /// Query name, SOA, answer, NSID and detail; null when all are empty.
    std::shared_ptr<const LastReply> reply;

    const std::optional<SoaFields>& soa() const;
    const std::vector<Record>& answer() const;
    const std::string& nsid() const;
    const std::string& detail() const;
    const std::vector<ExtendedError>& extended_errors() const;
    double rtt_seconds() const { return std::chrono::duration<double>(rtt).count(); }
    bool answered() const { return rcode >= 0; }

    /// Equal in every field, the shared part compared by value.
    bool operator==(const LastProbe& o) const;
};

/// Reuses equal LastReply objects among the targets of one zone: a zone's targets usually serve
/// the same SOA and answer, so they keep one copy of it.
class LastReplies {
  public:
    /// The shared reply of `r` (null when it has nothing to keep): one already held here if equal,
    /// else a new one, held from now on.
    std::shared_ptr<const LastReply> share(const ProbeResult& r);
    /// Hold `reply` so that later equal results reuse it (e.g. a target's previous one).
    void hold(std::shared_ptr<const LastReply> reply);

  private:
    std::vector<std::shared_ptr<const LastReply>> held_;
};

/// The compact form of `r`, its shared part from `replies`.
LastProbe keep_last(const ProbeResult& r, LastReplies& replies);
/// The compact form of `r` with a shared part of its own (for tests and the status client).
LastProbe keep_last(const ProbeResult& r);
/// The ProbeResult the status API shows: `last` with `target` put back, no authority and
/// additional sections.
ProbeResult to_probe_result(const LastProbe& last, const Target& target);

}  // namespace nswatch
