// The zone_drift state of every zone with a `reference:`: each round's questions to one address
// per provider (zonediff/reference_plan.hpp), their verdicts (reference_compare.hpp), and per
// provider the differences still standing: a drift stays until the provider answers that question
// right again (a timeout keeps it). Not thread-safe; no clock and no sockets: the caller sends the
// requests and hands back the results (zonediff/reference_service.hpp; tests with real servers).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "prober/engine.hpp"
#include "zonediff/reference_compare.hpp"

namespace nswatch {

/// One provider's standing against the reference.
struct ProviderDriftState {
    std::string provider;
    uint64_t checked = 0;  ///< answers judged so far (conclusive ones)
    /// Differences standing, by what was asked ("www.shop.test. A", or "made-up name" / "absent
    /// type" for the negative questions, whose names change every round).
    std::map<std::string, Drift> drifts;
    /// Rounds in a row whose targets did not include this provider (forgotten at
    /// kForgetProviderAfter: a snapshot without it for a moment must not end its drifts).
    uint32_t missing_rounds = 0;
};

/// Rounds a provider may be missing from the targets before its state is dropped.
inline constexpr uint32_t kForgetProviderAfter = 10;
/// Standing drifts asked again per provider and round, beyond the plan's slice (a provider
/// serving a wholly different zone must not multiply the round's questions).
inline constexpr size_t kReaskPerRound = 32;

/// One zone's reference check as `status`, metrics and alerts see it.
struct ZoneDriftResult {
    std::string zone;
    std::string source;    ///< the reference's file, or "primary ADDR"
    std::string error;     ///< why there is no reference (file or transfer error)
    uint32_t serial = 0;   ///< the reference's SOA serial
    size_t rrsets = 0;     ///< RRsets checked at every provider
    size_t per_round = 0;  ///< of which each round asks
    uint64_t rounds = 0;   ///< rounds asked so far
    std::vector<ProviderDriftState> providers;  ///< sorted by name
};

class ReferenceChecker {
  public:
    /// The reference of `zone` (replacing the previous one: drifts of RRsets it no longer holds
    /// are dropped), with its settings and the round interval it is asked at.
    void set_reference(const std::string& zone, std::shared_ptr<const ReferenceZone> ref,
                       const ReferenceSettings& settings, std::chrono::milliseconds interval,
                       std::string source);
    /// No usable reference for `zone` (the error is shown; earlier verdicts are kept, and no
    /// question is asked until a reference is set again: an outdated reference would blame the
    /// providers that are up to date).
    void set_error(const std::string& zone, std::string error, std::string source);
    /// Forget zones not in `zones`.
    void keep_only(const std::vector<std::string>& zones);
    /// The zone's reference, or null.
    std::shared_ptr<const ReferenceZone> reference(const std::string& zone) const;

    /// The next round's requests for `zone` to `targets` (the zone's UDP targets from one
    /// vantage; one address per provider is chosen). Each request's index in the result is its
    /// ticket for absorb(). Providers missing from `targets` kForgetProviderAfter rounds in a row
    /// are forgotten.
    std::vector<ProbeRequest> start_round(const std::string& zone,
                                          const std::vector<Target>& targets,
                                          const ProbeSettings& probe);
    /// The same requests written to `out` (cleared first; its capacity is reused: the daemon
    /// starts a thousand zones' rounds with one buffer).
    void start_round(const std::string& zone, const std::vector<Target>& targets,
                     const ProbeSettings& probe, std::vector<ProbeRequest>& out);
    /// The result of request `ticket` of the zone's current round. In a signed zone (queries with
    /// DO) each provider is also asked the apex DNSKEY set each round; its negative answers are
    /// judged once that answer is in, and stay unjudged (the previous verdict stands) when it
    /// does not come or is not NOERROR.
    void absorb(const std::string& zone, size_t ticket, const ProbeResult& result);

    std::vector<ZoneDriftResult> results() const;
    /// Answers taken as right because they were the same octets as the provider's last right
    /// answer to the question (not parsed), over every zone since the start.
    uint64_t unchanged_answers() const { return unchanged_answers_; }

  private:
    struct ZoneEntry {
        ZoneDriftResult result;
        std::shared_ptr<const ReferenceZone> ref;
        ReferenceSettings settings;
        /// The current round's questions: the plan's slice (asked of every provider), then each
        /// provider's standing drifts asked again (so a drift ends the round after the provider
        /// is right again, not when the slice comes round).
        std::vector<ReferenceQuestion> questions;
        std::vector<uint32_t> tickets;  ///< ticket -> index in `questions`, or kKeysTicket
        /// Per provider, this round's apex DNSKEY set (signed zones): the signatures over the
        /// NSEC/NSEC3 of its negative answers are verified with the keys it serves itself, so
        /// those answers wait for that question's answer when they come first.
        struct RoundKeys {
            bool arrived = false;
            bool usable = false;  ///< a NOERROR answer (none: the denials stay unjudged)
            std::vector<Record> dnskeys;
            std::vector<std::pair<uint32_t, ProbeResult>> waiting;  ///< (question, answer)
        };
        std::map<std::string, RoundKeys> keys;
        /// Per provider, by RRset index: the digest of its last answer to that RRset's question
        /// judged right (0: none). An answer with the same octets is right again and is not
        /// parsed (prober/response.hpp reply_digest): most answers are the same every hour.
        /// Kept for positive questions only, whose verdict depends on the answer alone.
        std::map<std::string, std::vector<uint32_t>> right_replies;
    };
    /// The ticket of a provider's apex DNSKEY question.
    static constexpr uint32_t kKeysTicket = UINT32_MAX;
    void judge(ZoneEntry& e, const ReferenceQuestion& q, const ProbeResult& result,
               const std::vector<Record>* dnskeys);
    /// Keep (or with 0 forget) the digest of `provider`'s right answer to RRset `rrset`.
    static void remember_reply(ZoneEntry& e, const std::string& provider, uint32_t rrset,
                               uint32_t digest);
    std::map<std::string, ZoneEntry> zones_;
    uint64_t unchanged_answers_ = 0;
    // start_round's scratch, kept for its capacity: the targets grouped by provider (sorted by
    // provider, stable), and one provider's question indexes.
    std::vector<const Target*> by_provider_;
    std::vector<uint32_t> mine_;
};

/// The key a verdict is kept under (see ProviderDriftState::drifts).
std::string drift_key(const ReferenceQuestion& q);

}  // namespace nswatch
