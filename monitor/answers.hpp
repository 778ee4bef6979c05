// Comparing the watched RRsets across providers (CONS-ANSWERS): the same name and type asked of
// every address must give the same records. Order is ignored; TTL differences are reported
// separately because caches then expire the records at different times, which is not a
// different answer. Pure: values in, values out.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dns/probe_result.hpp"

namespace nswatch {

/// One distinct answer to a question and who gave it.
struct AnswerVariant {
    std::vector<std::string> records;    ///< "owner TYPE rdata", sorted, TTL left out
    std::vector<std::string> providers;  ///< providers that gave it, sorted, unique
    std::vector<std::string> servers;    ///< "nameserver [address]" that gave it, sorted
    int rcode = 0;                       ///< rcode of those answers
};

/// The comparison for one (name, type).
struct AnswerComparison {
    std::string name;                     ///< owner asked, canonical with trailing dot
    uint16_t type = 0;                    ///< RR type asked
    bool consistent = true;               ///< every answering server gave the same records
    std::vector<AnswerVariant> variants;  ///< distinct answers, most common first
    std::vector<std::string> differing;   ///< records present in some answers but not all
    bool ttl_differs = false;             ///< same records, different TTLs somewhere
    std::vector<std::string> ttl_notes;  ///< e.g. "www.shop.test. A: TTL 300 at beta, 600 at alpha"
    size_t unanswered = 0;  ///< probes with no usable answer (timeouts etc.): not compared
};

/// The comparisons a ZoneState keeps between answer rounds (for the next round's answer changes
/// and the resolvers' comparison): without the servers and TTL notes, packed into one immutable
/// buffer shared by every copy of the state. As AnswerComparison vectors these would be ~2 KiB per
/// zone (a string, vector and heap block per record, provider and variant); packed, a few hundred
/// bytes. expand() gives the comparisons back, equal to the ones kept minus servers and notes.
class KeptAnswers {
  public:
    KeptAnswers() = default;
    explicit KeptAnswers(const std::vector<AnswerComparison>& comparisons);

    /// The kept comparisons, servers and ttl_notes empty.
    std::vector<AnswerComparison> expand() const;
    bool empty() const { return count_ == 0; }
    size_t size() const { return count_; }
    /// Bytes of the packed buffer (for tests).
    size_t packed_bytes() const { return packed_ ? packed_->size() : 0; }
    /// The same comparisons as `other` (servers and TTL notes aside, as kept): then nothing a
    /// per-provider answer change or a difference is told from has moved.
    bool same_as(const KeptAnswers& other) const;

  private:
    std::shared_ptr<const std::string> packed_;  ///< null when empty
    size_t count_ = 0;
};

/// A record as compared across providers and resolvers: "owner TYPE rdata", TTL left out, the
/// type by name ("www.shop.test. A 192.0.2.80").
std::string answer_record_text(const Record& rec);

/// Compare the results of probes asking the same questions of different servers. Results whose
/// outcome is neither ok nor nxdomain say nothing about the zone's content and are only counted.
std::vector<AnswerComparison> compare_answers(const std::vector<ProbeResult>& results);

/// One sentence per inconsistent question, naming the differing records and who serves them.
std::vector<std::string> describe_differences(const std::vector<AnswerComparison>& comparisons);

}  // namespace nswatch
