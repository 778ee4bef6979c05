// Resolution through recursive resolvers, judged: what one resolver's reply says about a zone, the
// state folded from those judgements per (zone, resolver, vantage), and the conditions
// `resolution_failing`, `resolution_slow` and `resolution_unverified` evaluated over that state
// and a `now`. Pure: values in, values out; no clock, no sockets (resolver/ does the I/O).
//
// IMPLEMENTATION NOTES
// - The uncached probe asks `<random label>.<zone>` type A with RD=1 and DO=1: the resolver cannot
//   have the name cached, so it must ask an authoritative server of the zone. The expected reply is
//   NXDOMAIN (or NODATA) carrying the zone's SOA, or an answer where the zone has a wildcard.
// - RFC 8198 (aggressive use of DNSSEC-validated cache): a validating resolver that holds an NSEC
//   range covering the random name answers NXDOMAIN from its cache, without asking anyone. Such a
//   reply has AD set and NSEC/NSEC3 in the authority section, and its SOA TTL has been counting
//   down in the cache: below the zone's negative TTL min(SOA TTL, SOA MINIMUM) (RFC 2308 §5) that a
//   fresh fetch starts from. Seen together, the probe is `from_cache`: not a failure, but not
//   evidence that the authoritatives answer either ("unverified"). A validating resolver that caps
//   negative TTLs below the zone's (cache-max-negative-ttl) looks the same: documented limit.
// - p95 over few samples is the largest but one or the largest: with one uncached probe per round,
//   a 10-minute window at 60 s holds 10; that is what "p95" can mean at this cost.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/resolvers.hpp"
#include "dns/probe_result.hpp"
#include "monitor/answers.hpp"

namespace nswatch {

using ResolutionTime = std::chrono::system_clock::time_point;

/// Which path through the resolver a probe measured.
enum class ResolutionPath {
    cached,    ///< a watched name as users ask it: normally served from the resolver's cache
    uncached,  ///< a random name under the zone: forces a trip to the zone's authoritatives
};

/// How a resolution ended, judged for its path.
enum class ResolutionOutcome {
    ok,             ///< resolved as expected (uncached: NXDOMAIN/NODATA with the zone's SOA or a
                    ///< wildcard answer; cached: the authoritative answer)
    from_cache,     ///< uncached reply synthesised from cached NSEC records (RFC 8198)
    mismatch,       ///< cached: records differ from the authoritative ones; uncached: a reply
                    ///< that does not carry the zone's SOA
    servfail,       ///< rcode SERVFAIL: the resolver could not reach the zone (the outage)
    refused,        ///< rcode REFUSED: the resolver does not serve us (an ACL)
    timeout,        ///< no reply before the deadline
    network_error,  ///< the socket failed
    error,          ///< any other rcode or an unusable reply (see detail)
};

std::string_view to_string(ResolutionPath p);
std::string_view to_string(ResolutionOutcome o);

/// Whether the outcome counts against `resolution_failing` (from_cache does not: it is unknown).
bool is_failure(ResolutionOutcome o);

/// One resolution probe, judged.
struct ResolutionSample {
    std::string zone;      ///< zone under watch
    std::string resolver;  ///< resolver name from the config
    std::string vantage;   ///< vantage the probe left from
    ResolutionPath path = ResolutionPath::uncached;
    std::string name;     ///< name asked, no trailing dot
    uint16_t type = 1;    ///< type asked
    ResolutionTime at{};  ///< when it was sent (wall clock)
    double seconds = 0;   ///< resolution time (or time to giving up)
    ResolutionOutcome outcome = ResolutionOutcome::timeout;
    int rcode = -1;         ///< DNS rcode, -1 without a reply
    bool ad = false;        ///< AD flag of the reply
    bool compared = false;  ///< cached: an authoritative answer existed to compare with
    std::string detail;     ///< one sentence for anything but ok (and for wildcard/NODATA)

    bool operator==(const ResolutionSample&) const = default;
};

/// A random-looking first label for the uncached probe, from 64 random bits: "nswatch-" and 16
/// hex digits (letters-digits-hyphen, well below 63 octets).
std::string cache_busting_label(uint64_t random_bits);

/// The zone's negative-caching TTL as a fresh fetch starts it: min(SOA TTL, MINIMUM).
uint32_t negative_ttl(const SoaFields& soa);

/// Judge an uncached probe of `zone`. `negative_ttl`: the zone's, from the authoritative SOA
/// probes (nullopt when unknown: then AD + NSEC alone mark the reply as possibly from cache).
ResolutionSample judge_uncached(const ProbeResult& r, const std::string& zone,
                                std::optional<uint32_t> negative_ttl);

/// Judge a cached-path probe against what the authoritatives serve for the same question
/// (`authoritative`: the zone's answer comparisons; any variant served by any provider matches).
ResolutionSample judge_cached(const ProbeResult& r,
                              const std::vector<AnswerComparison>& authoritative);

/// What the windows keep of an uncached sample: 24 bytes, not a ResolutionSample's ~200 and
/// its strings (a 6 h baseline at 60 s is 370 points per zone, resolver and vantage).
struct UncachedPoint {
    ResolutionTime at{};  ///< when it was sent
    float seconds = 0;    ///< resolution time
    ResolutionOutcome outcome = ResolutionOutcome::timeout;

    bool operator==(const UncachedPoint&) const = default;
};

/// The newest view of one (zone, resolver, vantage).
struct ResolverZoneState {
    std::string zone;                      ///< zone under watch
    std::string resolver;                  ///< resolver name
    std::string vantage;                   ///< vantage name
    std::deque<UncachedPoint> uncached;    ///< uncached samples, oldest first, trimmed by age
    std::vector<ResolutionSample> cached;  ///< the newest round's cached-path samples
    int consecutive_failures = 0;          ///< uncached failures in a row (from_cache skipped)
    std::optional<ResolutionSample> last_uncached;  ///< newest uncached sample
    std::optional<ResolutionSample> last_failure;   ///< newest failed uncached sample (kept longer)
    uint64_t uncached_probes = 0;                   ///< uncached samples fed
    uint64_t cached_probes = 0;                     ///< cached samples fed
};

/// Derived figures of one state at `now`.
struct ResolutionSummary {
    std::optional<double> recent_p95;     ///< uncached ok samples within recent_window
    std::optional<double> recent_median;  ///< same samples' median
    std::optional<double> baseline;       ///< median of ok samples in the baseline window
    size_t recent_samples = 0;            ///< ok samples in the recent window
    size_t baseline_samples = 0;          ///< ok samples in the baseline window
    bool resolvable = false;              ///< the newest uncached probe resolved (ok)
    bool unverified = false;              ///< the newest uncached probe came from cache
    size_t cached_mismatches = 0;         ///< newest round's cached answers that differ
    size_t cached_failures = 0;           ///< newest round's cached probes that failed
};

/// Baseline needs this many samples before a multiple of it means anything.
inline constexpr size_t kMinBaselineSamples = 5;

ResolutionSummary summarize(const ResolverZoneState& s, const ResolutionSettings& settings,
                            ResolutionTime now);

/// Folds judged samples into states.
class ResolutionTracker {
  public:
    explicit ResolutionTracker(ResolutionSettings settings) : settings_(std::move(settings)) {}

    /// Feed one uncached sample.
    void observe_uncached(const ResolutionSample& s);
    /// Replace the cached-path samples of one (zone, resolver, vantage) with a round's.
    void observe_cached_round(const std::string& zone, const std::string& resolver,
                              const std::string& vantage, std::vector<ResolutionSample> samples);
    /// Drop uncached samples older than both windows before `now`.
    void trim(ResolutionTime now);
    /// Keep only states whose zone is in `zones`.
    void retain_zones(const std::vector<std::string>& zones);

    /// Every state, sorted by zone, resolver, vantage.
    std::vector<ResolverZoneState> states() const;

  private:
    using Key = std::tuple<std::string, std::string, std::string>;
    ResolverZoneState& at(const std::string& zone, const std::string& resolver,
                          const std::string& vantage);

    ResolutionSettings settings_;
    std::map<Key, ResolverZoneState> states_;
};

/// A condition holding for one (zone, resolver, vantage), with why. Shaped to become an alert.
struct ResolutionCondition {
    std::string kind;      ///< "resolution_failing", "resolution_slow", "resolution_unverified"
    std::string zone;      ///< zone
    std::string resolver;  ///< resolver name
    std::string vantage;   ///< vantage name
    std::string reason;    ///< one sentence with the numbers

    bool operator==(const ResolutionCondition&) const = default;
    auto operator<=>(const ResolutionCondition&) const = default;
};

/// A state whose newest uncached probe is older than this is not judged (the prober stopped or
/// the resolver was removed): old evidence must not keep a condition alive.
std::chrono::milliseconds stale_after(const ResolutionSettings& settings);

/// `resolution_failing`: the uncached path failed `failing_after` times in a row.
std::vector<ResolutionCondition> evaluate_resolution_failing(
    const std::vector<ResolverZoneState>& states, const ResolutionSettings& settings,
    ResolutionTime now);

/// `resolution_slow`: the uncached p95 over the recent window is above `slow_after`, or above
/// `slow_factor` × the baseline (with at least kMinBaselineSamples in the baseline window).
std::vector<ResolutionCondition> evaluate_resolution_slow(
    const std::vector<ResolverZoneState>& states, const ResolutionSettings& settings,
    ResolutionTime now);

/// `resolution_unverified`: the newest uncached reply came from the resolver's NSEC cache (RFC
/// 8198), so the uncached path does not show whether the authoritatives answer.
std::vector<ResolutionCondition> evaluate_resolution_unverified(
    const std::vector<ResolverZoneState>& states, const ResolutionSettings& settings,
    ResolutionTime now);

/// All three, sorted.
std::vector<ResolutionCondition> evaluate_resolution(const std::vector<ResolverZoneState>& states,
                                                     const ResolutionSettings& settings,
                                                     ResolutionTime now);

/// p-th percentile (0..1, nearest rank) of `values`; nullopt when empty.
std::optional<double> percentile(std::vector<double> values, double p);

}  // namespace nswatch
