// Internal to nswatch_baddns (tests/tools/baddns.cpp): the modes, the served zone and the reply
// builders, shared by the server loop (server.cpp) and the replies (replies.cpp, broken_wire.cpp).
#pragma once

// ldns/common.h #defines bool, true and false when __bool_true_false_are_defined is unset, which
// breaks the C++ standard library included after it; <stdbool.h> sets that macro first.
#include <stdbool.h>
// clang-format off: the order above matters
#include <ldns/ldns.h>
// clang-format on

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nswatch::baddns {

enum class Mode {
    ok,
    wrong_id,
    wrong_question,
    garbage,
    short_reply,
    truncated_packet,
    tcp_length_lie,
    tc_always,
    no_aa,
    refused,
    refused_ede,
    servfail,
    formerr,
    nxdomain,
    silent,
    edns_intolerant,
    edns_version_ignored,
    wrong_owner,
    tcp_other_question,
    drop_txt_string,  ///< ok, but every TXT record keeps only its first string
    servfail_name,    ///< ok, but SERVFAIL for the --fault-name name
    noerror_nx,       ///< ok, but NOERROR (NODATA) where the name does not exist
};

struct ModeName {
    std::string_view name;
    Mode mode;
};

inline constexpr ModeName kModes[] = {
    {"ok", Mode::ok},
    {"wrong-id", Mode::wrong_id},
    {"wrong-question", Mode::wrong_question},
    {"garbage", Mode::garbage},
    {"short", Mode::short_reply},
    {"truncated-packet", Mode::truncated_packet},
    {"tcp-length-lie", Mode::tcp_length_lie},
    {"tc-always", Mode::tc_always},
    {"no-aa", Mode::no_aa},
    {"refused", Mode::refused},
    {"refused-ede", Mode::refused_ede},
    {"servfail", Mode::servfail},
    {"formerr", Mode::formerr},
    {"nxdomain", Mode::nxdomain},
    {"silent", Mode::silent},
    {"edns-intolerant", Mode::edns_intolerant},
    {"edns-version-ignored", Mode::edns_version_ignored},
    {"wrong-owner", Mode::wrong_owner},
    {"tcp-other-question", Mode::tcp_other_question},
    {"drop-txt-string", Mode::drop_txt_string},
    {"servfail-name", Mode::servfail_name},
    {"noerror-nx", Mode::noerror_nx},
};

/// The mode called `name` on the command line, if there is one.
inline std::optional<Mode> mode_from_name(std::string_view name) {
    for (const auto& m : kModes) {
        if (m.name == name) return m.mode;
    }
    return std::nullopt;
}

/// The command-line name of `mode`, for the log.
inline std::string_view mode_name(Mode mode) {
    for (const auto& m : kModes) {
        if (m.mode == mode) return m.name;
    }
    return "?";
}

enum class Transport { udp, tcp };

inline constexpr uint32_t kSerial = 2026112201;
inline constexpr std::string_view kNsid = "baddns-1";
inline constexpr uint16_t kEdnsBufferSize = 1232;

// ---------------------------------------------------------------------------------------------
// ldns ownership helpers

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;

struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using RdfPtr = std::unique_ptr<ldns_rdf, RdfFree>;

struct RrFree {
    void operator()(ldns_rr* r) const { ldns_rr_free(r); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrFree>;

/// A malloc()ed ldns string as a std::string (freed); "?" for null.
std::string take_string(char* s);
/// A record from zone-file text; exits on a parse error (our own records: a bug, not input).
RrPtr make_rr(const std::string& text);
/// The packet in wire format; exits if ldns cannot write it.
std::vector<uint8_t> to_wire(const ldns_pkt* pkt);

// ---------------------------------------------------------------------------------------------
// The zone `ok` serves

/// Fixed content: apex SOA (serial kSerial) and NS, ns1/ns2 glue. Names outside the zone get
/// NXDOMAIN + SOA rather than the REFUSED a real authoritative server would give: `refused` has
/// its own mode, and this keeps `ok` answering every probe.
class Zone {
  public:
    /// Exits when `name` is not a domain name (it comes from --zone).
    explicit Zone(const std::string& name);

    const ldns_rr* soa() const { return soa_.get(); }

    /// Serve the records of an RFC 1035 master file instead of the fixed content (--zone-file;
    /// zone_file.cpp): exact names, CNAMEs, NODATA and NXDOMAIN with the file's SOA (no
    /// wildcards, no delegations). Exits when the file does not parse.
    void load_file(const std::string& path);
    /// The name servfail-name fails for (--fault-name); null when none was given.
    const ldns_rdf* fault_name() const { return fault_name_.get(); }
    void set_fault_name(const std::string& name);

    /// Fill rcode and sections of `reply` the way an authoritative server for this zone would.
    void answer(const ldns_rdf* qname, ldns_rr_type qtype, ldns_pkt* reply) const;

  private:
    static void push(ldns_pkt* reply, ldns_pkt_section section, const RrPtr& rr) {
        ldns_pkt_push_rr(reply, section, ldns_rr_clone(rr.get()));
    }

    /// The reply from the --zone-file records (zone_file.cpp).
    void answer_from_file(const ldns_rdf* qname, ldns_rr_type qtype, ldns_pkt* reply) const;

    RdfPtr origin_, ns1_, ns2_;
    RrPtr soa_, ns1_ns_, ns2_ns_, ns1_a_, ns2_a_;
    std::vector<RrPtr> file_records_;  ///< --zone-file, SOA excluded (in soa_)
    bool from_file_ = false;
    RdfPtr fault_name_;
};

// ---------------------------------------------------------------------------------------------
// Queries and replies

/// A query that parsed and has exactly one question.
struct Incoming {
    PktPtr pkt;
    const ldns_rr* question = nullptr;  ///< owned by pkt
    bool edns = false;                  ///< the query carried an OPT record
    bool nsid = false;                  ///< ... asking for NSID
};

/// The query in `data`, or nullopt with `why` set when it is not one we answer.
std::optional<Incoming> parse_query(const uint8_t* data, size_t size, std::string& why);

/// The common start of every reply: ID, QR, opcode, RD and CD copied, the question echoed, and
/// (when `echo_edns` and the query had one) an OPT record with NSID if it was asked for.
PktPtr reply_skeleton(const Incoming& q, bool echo_edns);

/// What `ok` answers: the zone's authoritative reply.
PktPtr ok_reply(const Zone& zone, const Incoming& q);
/// `reply` with every TXT record of its answer cut to its first character-string (zone_file.cpp).
PktPtr drop_txt_strings(PktPtr reply);

/// What to send back. `framed` bytes already carry their TCP length prefix (or deliberately a
/// wrong one); `then_silence` means the connection must never be written to again;
/// `then_close` closes a TCP connection once the reply is written.
struct Reply {
    std::vector<uint8_t> bytes;
    bool framed = false;
    bool then_silence = false;
    bool then_close = false;
};

/// The reply `mode` gives to `q` over `transport`; nullopt means say nothing.
std::optional<Reply> respond(Mode mode, Transport transport, const Zone& zone, const Incoming& q);

// The modes whose point is a broken wire format (broken_wire.cpp).
std::vector<uint8_t> garbage_bytes(uint16_t id);
std::vector<uint8_t> short_bytes(uint16_t id);
std::vector<uint8_t> truncated_packet_bytes(const Zone& zone, const Incoming& q);
std::vector<uint8_t> tcp_length_lie_bytes(const Zone& zone, const Incoming& q);

// The modes whose reply is well-formed but for something else (other_owner.cpp).
inline constexpr std::string_view kOtherZone = "other.test";
/// The authoritative reply with every answer record moved to kOtherZone (an SOA becomes
/// kOtherZone's SOA, serial kSerial + 100): the question still matches.
PktPtr wrong_owner_reply(const Zone& zone, const Incoming& q);
/// kOtherZone's SOA answer to the question "kOtherZone SOA", with the query's ID: a reply to
/// another question.
PktPtr other_question_reply(const Incoming& q);

}  // namespace nswatch::baddns
