// ZoneState: per zone, the newest view of every target (vantage x address x transport): serial
// order, lag in versions and seconds, health. Built by ZoneTracker from probe rounds and a `now`
// (pure: no clock, no I/O), published as an immutable Snapshot for the exporter, the status API
// and alerts.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delegation/delegation_missing.hpp"
#include "dns/interned_name.hpp"
#include "dns/probe_result.hpp"
#include "monitor/answers.hpp"
#include "monitor/health.hpp"
#include "monitor/keysets.hpp"
#include "monitor/last_probe.hpp"
#include "monitor/serial_round.hpp"
#include "monitor/signatures.hpp"
#include "monitor/state_words.hpp"
#include "monitor/zone_list.hpp"

namespace nswatch {

using WallTime = std::chrono::system_clock::time_point;

/// Answers kept per target for latency_high's p95: at the default 60 s interval, 20 minutes.
inline constexpr size_t kRttWindow = 20;
/// The RTT window's unit, seconds: 0.1 ms, finer than the millisecond the alerts show.
inline constexpr double kRttUnit = 1e-4;
/// Fewer answers than this give no p95 (one slow reply after a restart is not "high latency").
inline constexpr size_t kMinRttSamples = 5;

/// The newest view of one target.
struct TargetState {
    KeptTarget target;  ///< vantage, address, transport, provider, ... (target.full(): a Target)
    /// The newest probe result, compact (monitor/last_probe.hpp): its scalars, and the query name,
    /// SOA, answer, NSID and detail shared with the zone's other targets that got the same.
    LastProbe last;
    // Wider fields first: no padding between them (80,000 of these at 10,000 zones).
    double lag_seconds = 0;          ///< seconds since the newest serial was first seen anywhere,
                                     ///< while this target does not serve it; 0 when current
    WallTime last_success{};         ///< when it last answered ok (epoch if never)
    WallTime last_probe{};           ///< when its newest probe was observed
    WallTime since{};                ///< when `up` last changed (or it was first judged)
    uint64_t probes = 0;             ///< probes fed
    uint64_t failures = 0;           ///< probes that did not end ok
    Health health;                   ///< the rise/fall state machine behind `up`
    std::optional<uint32_t> serial;  ///< last answered serial (kept across failed probes)
    uint32_t behind_by = 0;          ///< versions behind the newest serial
    int consecutive_failures = 0;    ///< failures in a row
    SerialState serial_state = SerialState::no_answer;  ///< against the zone's reference serial
    bool up = true;      ///< rise/fall health: up, or not yet known to be down
    bool known = false;  ///< `up` rests on evidence (an answer, or `fall` failures in a row)
    /// RTTs of the newest ok answers in units of kRttUnit (rounded, at most 65535: 6.5 s), a
    /// ring: 40 bytes, not a history.
    std::array<uint16_t, kRttWindow> rtt_window{};
    uint8_t rtt_samples = 0;  ///< entries of rtt_window filled (at most kRttWindow)
    uint8_t rtt_next = 0;     ///< slot the next RTT goes to

    /// Record the RTT of an ok answer.
    void add_rtt(double seconds);
    /// Nearest-rank p95 of the window (of 20: the second largest); nullopt below
    /// kMinRttSamples answers.
    std::optional<double> rtt_p95() const;
};

/// How every surface shows this address (monitor/state_words.hpp): its rise/fall health, its
/// newest outcome and its serial state.
AddressView address_view(const TargetState& t);

/// A provider's addresses seen together.
struct ProviderState {
    InternedName provider;  ///< provider name
    size_t targets = 0;     ///< targets (address x transport x vantage)
    size_t targets_up = 0;  ///< of which up
    /// Some address answers over UDP (or is not yet known to be down). The verdict rests on UDP,
    /// probed every round: TCP, probed every tcp_every-th round, would delay it by that factor;
    /// a transport failing while the other answers is its own condition (tcp_failing).
    bool up = true;
    bool lagging = false;        ///< some target behind the newest serial
    double max_lag_seconds = 0;  ///< worst lag among its targets
    uint32_t max_behind_by = 0;  ///< worst versions-behind among its targets
    /// The UDP verdict rests on evidence: an address answered, or every one is known down.
    bool known = false;
};

/// Parent/child NS set comparison as of the last discovery.
struct DelegationState {
    bool consistent = true;                   ///< parent and zone NS sets agree
    std::vector<std::string> only_in_parent;  ///< names only at the parent
    std::vector<std::string> only_in_child;   ///< names only in the zone
    WallTime discovered{};                    ///< when discovery last ran
    std::string error;                        ///< discovery error, if it failed
    /// What the last discovery was told about a missing delegation (none when it could not ask);
    /// delegation_missing() (monitor/delegation_missing.hpp) adds what the probes say since.
    MissingReason missing = MissingReason::none;
    std::string missing_detail;  ///< who said so, one sentence
};

struct ZoneState {
    std::string zone;                       ///< zone name
    bool has_primary = false;               ///< the config names the primary (targets can be
                                            ///< ahead_of_primary)
    std::optional<uint32_t> newest_serial;  ///< newest serial seen (RFC 1982)
    WallTime newest_first_seen{};           ///< when the newest serial was first seen anywhere
    /// When each serial in flight was first seen, while more than one is (a lag in progress);
    /// empty otherwise. The alert engine keeps it in SQLite so a restart continues the lag clock.
    std::vector<std::pair<uint32_t, WallTime>> serials_in_flight;
    std::vector<TargetState> targets;      ///< sorted by provider, nameserver, address, transport
    std::vector<ProviderState> providers;  ///< sorted by name
    DelegationState delegation;            ///< parent vs child NS sets
    bool answers_consistent = true;        ///< watched RRsets identical from every provider
    /// Every probe of the last answer round was answered: agreement rests on every provider.
    bool answers_complete = true;
    std::vector<std::string> answer_differences;  ///< one sentence per differing RRset
    /// Each provider's apex key sets (DNSKEY, CDS, CDNSKEY) with the keys it lacks that another
    /// provider serves (monitor/keysets.hpp): keyset_mismatch, not part of answer_differences.
    std::vector<ProviderKeyset> keysets;
    /// Each provider's answers validated with its own DNSKEY set, as of the last answer round
    /// (monitor/signatures.hpp); empty without probe.dnssec_ok or for an unsigned zone.
    std::vector<ProviderSignatures> signatures;
    std::vector<std::string> ttl_notes;  ///< same records, different TTLs (not a difference)
    uint64_t rounds = 0;                 ///< rounds observed
    WallTime updated{};                  ///< time of the last round

    /// The watched RRsets as the authoritatives serve them (what resolvers' answers are compared
    /// with, resolver/), packed: answers.expand() gives the comparisons.
    KeptAnswers answers;
};

/// What the exporter, the status API and alerts read: immutable once published.
struct Snapshot {
    WallTime taken{};                          ///< when it was built
    std::string vantage;                       ///< this instance's default vantage
    SharedList<ZoneState> zones;               ///< sorted by zone name, shared with the trackers
    std::vector<ProbeResult> recent_failures;  ///< newest first, bounded
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

/// An address (target) or a provider going down or up: logged once per transition.
struct HealthChange {
    std::string zone;
    std::string provider;
    std::string vantage;
    std::string nameserver;  ///< empty for a provider
    std::string address;     ///< empty for a provider
    Transport transport = Transport::udp;
    bool up = false;   ///< the new state
    int in_a_row = 0;  ///< successes (up) or failures (down) in a row that decided it
    Outcome last = Outcome::ok;

    /// One log line: "shop.test: ns1.gamma-dns.test 127.53.3.1 udp (provider gamma, vantage
    /// default) is down: 2 failures in a row, last timeout".
    std::string describe() const;
};

/// Folds probe rounds of one zone into its ZoneState.
class ZoneTracker {
  public:
    ZoneTracker(std::string zone, HealthThresholds health = {},
                std::optional<std::string> primary = std::nullopt);

    /// Feed one round's results (any subset of targets) observed at `now`; returns the addresses
    /// and providers whose up/down state changed.
    std::vector<HealthChange> observe(const std::vector<ProbeResult>& results, WallTime now);
    /// New rise/fall thresholds (reload): targets keep their state and counts.
    void set_thresholds(HealthThresholds t);
    /// When each serial in flight was first seen (the lag clock), to keep across a restart.
    const std::map<uint32_t, WallTime>& serial_first_seen() const { return serial_first_seen_; }
    /// Continue the lag clock from before a restart: earlier first-seen times win.
    void restore_serial_first_seen(const std::map<uint32_t, WallTime>& first_seen);
    /// Record the outcome of a delegation discovery.
    void set_delegation(DelegationState d);
    /// Record the latest comparison of the watched RRsets across providers.
    void set_answers(const std::vector<AnswerComparison>& comparisons);
    /// The same, `packed` being KeptAnswers(comparisons) already built by the caller. When it is
    /// the same as the kept one, only the TTL notes can have changed: the rest is not rebuilt.
    void set_answers(const std::vector<AnswerComparison>& comparisons, KeptAnswers packed);
    /// Record the latest per-provider signature validation (check_provider_signatures).
    void set_signatures(std::vector<ProviderSignatures> signatures);
    const ZoneState& state() const { return *state_; }
    /// The state to publish, shared rather than copied: the tracker copies it before its next
    /// change (copy on write), so what was published never changes under a reader.
    std::shared_ptr<const ZoneState> share() const {
        shared_ = true;
        return state_;
    }

  private:
    /// The target of `t` in `s.targets` (same vantage, address and transport), or null. The
    /// first `sorted` targets are in recompute's order; the rest were added since.
    static TargetState* find(ZoneState& s, size_t sorted, const Target& t);
    ZoneState& edit();  ///< the state, copied first if it was shared
    /// Returns the providers whose UDP verdict changed.
    std::vector<HealthChange> recompute(WallTime now);

    std::optional<std::string> primary_;
    HealthThresholds thresholds_;
    std::map<uint32_t, WallTime> serial_first_seen_;
    std::shared_ptr<ZoneState> state_;
    mutable bool shared_ = false;
};

}  // namespace nswatch
