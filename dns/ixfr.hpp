// Incremental zone transfer (IXFR, RFC 1995), the pure half: reading a reply's records in order,
// and applying its differences to a cached copy of the zone. The I/O half (the request, TCP,
// TSIG) is prober/ixfr.hpp.
//
// IMPLEMENTATION NOTES
// - An IXFR reply is one of three shapes (RFC 1995 §4), told apart by its first two records:
//   a lone SOA (the client is current), SOA then SOA (differences: for each version step the old
//   SOA, the records removed, the new SOA, the records added; the new SOA closes it), or SOA then
//   anything else (the server sent the whole zone, AXFR-style, closed by the SOA again).
// - Differences are folded into one net change per record (owner, type, rdata), so applying many
//   steps walks the cached copy once. A step that removes a record the copy lacks, or starts
//   from a serial other than the copy's, means the copy is not what the server thinks we have:
//   the caller throws the copy away and transfers the whole zone.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// What an IXFR reply turned out to be.
enum class IxfrShape { pending, up_to_date, incremental, full };
std::string_view to_string(IxfrShape s);

/// Reads one IXFR reply record by record. Throws std::runtime_error naming what is wrong when the
/// records cannot be an IXFR reply for `known_serial`.
class IxfrReader {
  public:
    explicit IxfrReader(uint32_t known_serial) : known_(known_serial) {}

    /// The serial of the cached copy the request asked changes for.
    uint32_t known_serial() const { return known_; }
    /// At most `n` records in the reply (0 = no limit): add() throws at the next one, so a
    /// runaway reply is refused while it is read, not after it filled the memory.
    void set_record_limit(size_t n) { limit_ = n; }
    /// The next answer record of the reply, in canonical form.
    void add(Record&& r);
    /// A DNS message of the reply ended: a lone SOA in the first message means "up to date".
    void end_of_message();
    /// The reply is complete (no more records are expected).
    bool complete() const { return complete_; }
    IxfrShape shape() const { return shape_; }
    /// The serial the reply brings the copy to (the first SOA's); unset before the first record.
    std::optional<uint32_t> new_serial() const { return new_serial_; }
    /// Incremental steps read.
    size_t steps() const { return steps_; }
    /// full: the zone's records (the SOA once); incremental: empty.
    std::vector<Record>& full_records() { return full_; }

    /// Net change per record, in (owner, type, rdata) order: the record to hold after the reply,
    /// or nothing when it was removed.
    using Key = std::tuple<std::string, uint16_t, std::string>;
    const std::map<Key, std::optional<Record>>& changes() const { return changes_; }
    /// Records removed by some step that no earlier step added: the copy must hold each of them.
    const std::map<Key, Record>& must_exist() const { return must_exist_; }

  private:
    enum class Phase { first, second, step_start, removing, adding, full, done };
    void add_incremental(Record&& r);
    void remove(Record&& r);

    uint32_t known_;
    size_t limit_ = 0;
    size_t read_ = 0;
    Phase phase_ = Phase::first;
    IxfrShape shape_ = IxfrShape::pending;
    bool complete_ = false;
    std::optional<uint32_t> new_serial_;
    std::optional<Record> first_soa_;
    uint32_t step_to_ = 0;  ///< the serial the step being read leads to
    size_t steps_ = 0;
    std::vector<Record> full_;
    std::map<Key, std::optional<Record>> changes_;
    std::map<Key, Record> must_exist_;
};

/// Apply an incremental reply to `copy` (sorted by sort_for_diff, zonediff/zone_diff.hpp); the copy
/// stays sorted. Throws std::runtime_error when a removed record is not in the copy.
void apply_ixfr(std::vector<Record>& copy, const IxfrReader& reply);

/// The SOA serial of an SOA record's rdata ("mname rname serial ..."), unset when unreadable.
std::optional<uint32_t> soa_serial(const Record& soa);

}  // namespace nswatch
