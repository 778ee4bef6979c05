// The intended content of a zone (config `reference:`), to check every provider against: its
// RRsets canonicalised for comparison by meaning, and what a correct server answers to any
// question (an RRset, a CNAME, a wildcard expansion, NODATA or NXDOMAIN). Pure once built; the
// file reader is the one I/O edge here (the hidden-primary transfer is prober/axfr.hpp's).
//
// - Names are compared lower case with a trailing dot ("www.shop.test."), as probe answers are.
// - Rdata is compared in canonical form (dns/transfer_record.hpp) with TXT and SPF strings
//   joined: "a" "b" and "ab" carry the same text to every consumer that concatenates them.
// - RRSIG, NSEC and NSEC3 are not checked as RRsets (signatures differ per signer and per
//   re-signing); names at or below a zone cut are not this zone's data (only the DS at the cut
//   is), so they are left out too.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// One RRset of the reference, in comparison form.
struct ReferenceRrset {
    std::string owner;               ///< lower case, trailing dot
    uint16_t type = 0;               ///< RR type
    uint32_t ttl = 0;                ///< TTL of the first record (compared only with compare_ttl)
    std::vector<std::string> rdata;  ///< comparable_rdata of each record, sorted, unique

    bool operator==(const ReferenceRrset&) const = default;
};

/// What a correct authoritative server answers to one question.
struct Expectation {
    enum class Kind { answer, nodata, nxdomain };
    Kind kind = Kind::nxdomain;
    /// For `answer`: the RRset (type is the question's, or CNAME), with the owner asked (a
    /// wildcard's records are expanded to it).
    ReferenceRrset rrset;
    bool from_wildcard = false;  ///< the answer is synthesised from a `*` owner
};

/// Rdata as compared: TXT/SPF character-strings joined into one quoted string, the rest as is.
std::string comparable_rdata(uint16_t type, const std::string& rdata);
/// comparable_rdata(type, x) is x itself (every type but TXT and SPF): a comparison may use the
/// rdata without a copy.
bool rdata_is_comparable(uint16_t type);

class ReferenceZone {
  public:
    /// `zone`: lower case, no trailing dot ("shop.test"); `records` in canonical form. Throws
    /// std::runtime_error naming the record when one lies outside the zone, and when there is no
    /// SOA at the apex.
    ReferenceZone(std::string zone, const std::vector<Record>& records);

    const std::string& zone() const { return zone_; }
    /// The apex with a trailing dot ("shop.test.").
    const std::string& apex() const { return apex_; }
    /// The RRsets checked at every provider, sorted by owner then type: `rrset_count()` of them,
    /// the i-th as `rrset(i)` (a copy) or by its owner and type alone.
    size_t rrset_count() const { return checked_.size(); }
    ReferenceRrset rrset(size_t i) const {
        return materialise(sets_[checked_[i]], view(name_of(i)));
    }
    /// rrset(i) assigned to `out`, whose strings' and vector's capacity are reused (a round's
    /// planning writes into the questions of the previous round: no allocation once warm).
    void rrset_into(size_t i, ReferenceRrset& out) const {
        assign(sets_[checked_[i]], view(name_of(i)), out);
    }
    std::string_view rrset_owner(size_t i) const { return view(name_of(i)); }
    uint16_t rrset_type(size_t i) const { return sets_[checked_[i]].type; }
    /// Every name that exists and is this zone's authoritative data (empty non-terminals
    /// included), sorted: `name_count()` of them; the parents of the planner's names that do not
    /// exist.
    size_t name_count() const { return names_.size(); }
    std::string_view name(size_t i) const { return view(existing_[names_[i]]); }
    /// The types present at `name` (canonical), empty when it does not exist.
    std::set<uint16_t> types_at(const std::string& name) const;
    /// The SOA serial.
    uint32_t serial() const { return serial_; }
    /// The zone has a DNSKEY at the apex: negative answers must carry NSEC or NSEC3.
    bool is_signed() const { return signed_; }
    /// What a correct server answers to (name, type); nullopt for names outside the zone or at
    /// or below a zone cut (a referral is not this zone's answer).
    std::optional<Expectation> expect(const std::string& name, uint16_t type) const;
    /// Bytes held by the tables (for tests and the log; the object itself not counted).
    size_t memory_bytes() const;

  private:
    // One flat table instead of a node per RRset: at 1,000 zones x 1,000 records there are a
    // million RRsets, and per-RRset strings and map nodes cost ~500 bytes each. Names and rdata
    // live once in text_; everything else is an offset into it or an index.
    struct Span {
        uint32_t offset = 0;
        uint32_t length = 0;
    };
    struct Set {
        uint32_t name = 0;  ///< index into existing_
        uint16_t type = 0;
        uint32_t ttl = 0;
        uint32_t first_rdata = 0;  ///< index into rdata_
        uint32_t rdata_count = 0;
    };

    std::string_view view(Span s) const { return {text_.data() + s.offset, s.length}; }
    Span name_of(size_t checked) const { return existing_[sets_[checked_[checked]].name]; }
    ReferenceRrset materialise(const Set& s, std::string_view owner) const;
    void assign(const Set& s, std::string_view owner, ReferenceRrset& out) const;
    /// Index into existing_ of `name`, or -1.
    long find_name(std::string_view name) const;
    /// Index into sets_ of (existing_[name], type), or -1.
    long find_set(uint32_t name, uint16_t type) const;
    bool below_cut(const std::string& name) const;
    Expectation answer_at(uint32_t node, const std::string& asked, uint16_t type) const;

    std::string zone_;
    std::string apex_;
    std::vector<char> text_;         ///< names, then rdata (a move keeps the buffer: views stay)
    std::vector<Span> existing_;     ///< owners and empty non-terminals, sorted
    std::vector<Set> sets_;          ///< every RRset (checked or not), sorted by name then type
    std::vector<Span> rdata_;        ///< comparable_rdata of each record, sorted per RRset, unique
    std::vector<uint32_t> checked_;  ///< indexes into sets_ of the RRsets checked
    std::vector<uint32_t> names_;    ///< indexes into existing_ of names()
    std::set<std::string> cuts_;     ///< owners of NS RRsets below the apex
    uint32_t serial_ = 0;
    bool signed_ = false;
};

/// Read an RFC 1035 master file for `zone` ($ORIGIN defaults to the zone). Throws
/// std::runtime_error "PATH:LINE: reason" when it does not parse, or names the file when it
/// cannot be opened or the zone is not whole.
ReferenceZone read_reference_file(const std::string& zone, const std::string& path);

}  // namespace nswatch
