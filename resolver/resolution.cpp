#include "resolver/resolution.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include "dns/rr_types.hpp"

namespace nswatch {

namespace {

constexpr int kRcodeNoError = 0;
constexpr int kRcodeServfail = 2;
constexpr int kRcodeNxdomain = 3;
constexpr int kRcodeRefused = 5;

std::string lower_dot(std::string_view name) {
    std::string out(name);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (out.empty() || out.back() != '.') out += '.';
    return out;
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, s < 1 ? "%.0f ms" : "%.2f s", s < 1 ? s * 1000 : s);
    return buf;
}

std::string ratio_text(double r) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", r);
    return buf;
}

// The outcome of a reply that did not resolve, from the transport and the rcode.
std::optional<ResolutionOutcome> failure_of(const ProbeResult& r) {
    switch (r.outcome) {
        case Outcome::timeout:
            return ResolutionOutcome::timeout;
        case Outcome::network_error:
            return ResolutionOutcome::network_error;
        case Outcome::servfail:
            return ResolutionOutcome::servfail;
        case Outcome::refused:
            return ResolutionOutcome::refused;
        case Outcome::ok:
        case Outcome::nxdomain:
            return std::nullopt;
        default:
            break;
    }
    if (r.rcode == kRcodeServfail) return ResolutionOutcome::servfail;
    if (r.rcode == kRcodeRefused) return ResolutionOutcome::refused;
    return ResolutionOutcome::error;
}

ResolutionSample base_sample(const ProbeResult& r, ResolutionPath path) {
    ResolutionSample s;
    s.zone = r.target.zone;
    s.resolver = r.target.nameserver;
    s.vantage = r.target.vantage;
    s.path = path;
    s.name = r.query.name;
    s.type = r.query.type;
    s.at = r.sent_wall;
    s.seconds = r.rtt_seconds();
    s.rcode = r.rcode;
    s.ad = r.ad;
    return s;
}

// The records that answer (name, type): at the name, of the type or a CNAME, TTL left out. The
// same spelling as monitor/answers.cpp so the two can be compared.
std::vector<std::string> answer_records(const ProbeResult& r) {
    const std::string qname = lower_dot(r.query.name);
    std::vector<std::string> out;
    for (const auto& rec : r.answer) {
        if (lower_dot(rec.owner) != qname) continue;
        if (rec.type != r.query.type && rec.type != kTypeCname) continue;
        out.push_back(answer_record_text(rec));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string join(const std::vector<std::string>& v) {
    if (v.empty()) return "no records";
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " | ") + s;
    return out;
}

}  // namespace

std::string_view to_string(ResolutionPath p) {
    return p == ResolutionPath::cached ? "cached" : "uncached";
}

std::string_view to_string(ResolutionOutcome o) {
    switch (o) {
        case ResolutionOutcome::ok:
            return "ok";
        case ResolutionOutcome::from_cache:
            return "from_cache";
        case ResolutionOutcome::mismatch:
            return "mismatch";
        case ResolutionOutcome::servfail:
            return "servfail";
        case ResolutionOutcome::refused:
            return "refused";
        case ResolutionOutcome::timeout:
            return "timeout";
        case ResolutionOutcome::network_error:
            return "network_error";
        case ResolutionOutcome::error:
            return "error";
    }
    return "error";
}

bool is_failure(ResolutionOutcome o) {
    return o != ResolutionOutcome::ok && o != ResolutionOutcome::from_cache;
}

std::string cache_busting_label(uint64_t random_bits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "nswatch-%016llx", static_cast<unsigned long long>(random_bits));
    return buf;
}

uint32_t negative_ttl(const SoaFields& soa) {
    return std::min(soa.ttl, soa.minimum);
}

namespace {
/// A failed probe's sentence: the engine's detail and the resolver's own reasons (RFC 8914,
/// e.g. Unbound's "EDE 22 (No Reachable Authority)" when every provider is down), or the
/// outcome's name when there is neither.
std::string failure_detail(const ProbeResult& r, ResolutionOutcome o) {
    std::string s = r.detail;
    for (const auto& e : r.extended_errors) s += (s.empty() ? "" : ", ") + describe(e);
    return s.empty() ? std::string(to_string(o)) : s;
}
}  // namespace

ResolutionSample judge_uncached(const ProbeResult& r, const std::string& zone,
                                std::optional<uint32_t> zone_negative_ttl) {
    ResolutionSample s = base_sample(r, ResolutionPath::uncached);
    if (auto failure = failure_of(r)) {
        s.outcome = *failure;
        s.detail = failure_detail(r, s.outcome);
        return s;
    }
    const std::string apex = lower_dot(zone);
    std::optional<uint32_t> soa_ttl;
    bool has_nsec = false;
    for (const auto& rec : r.authority) {
        if (rec.type == kTypeSoa && lower_dot(rec.owner) == apex) soa_ttl = rec.ttl;
        if (rec.type == kTypeNsec || rec.type == kTypeNsec3) has_nsec = true;
    }
    if (r.rcode == kRcodeNoError && !r.answer.empty()) {
        s.outcome = ResolutionOutcome::ok;
        s.detail = "wildcard answer";
        return s;
    }
    if (!soa_ttl) {
        s.outcome = ResolutionOutcome::mismatch;
        s.detail = std::string(r.rcode == kRcodeNxdomain ? "NXDOMAIN" : "empty NOERROR") +
                   " without the SOA of " + apex + ": the reply does not come from the zone";
        return s;
    }
    // RFC 8198: AD + NSEC/NSEC3 is a validating resolver on a signed zone; a SOA TTL already
    // counted down means the reply was built from the cache, not fetched.
    if (r.ad && has_nsec) {
        const bool counted_down =
            zone_negative_ttl.has_value() && *soa_ttl + 1 < *zone_negative_ttl;
        if (!zone_negative_ttl.has_value() || counted_down) {
            s.outcome = ResolutionOutcome::from_cache;
            s.detail = "validated NSEC reply" +
                       (counted_down ? " with SOA TTL " + std::to_string(*soa_ttl) +
                                           " below the zone's " + std::to_string(*zone_negative_ttl)
                                     : std::string(" (zone's negative TTL unknown)")) +
                       ": likely synthesised from the resolver's cache (RFC 8198), the "
                       "authoritatives were not asked";
            return s;
        }
    }
    s.outcome = ResolutionOutcome::ok;
    if (r.rcode != kRcodeNxdomain) s.detail = "NODATA";
    return s;
}

ResolutionSample judge_cached(const ProbeResult& r,
                              const std::vector<AnswerComparison>& authoritative) {
    ResolutionSample s = base_sample(r, ResolutionPath::cached);
    if (auto failure = failure_of(r)) {
        s.outcome = *failure;
        s.detail = failure_detail(r, s.outcome);
        return s;
    }
    s.outcome = ResolutionOutcome::ok;
    const std::string qname = lower_dot(r.query.name);
    auto it = std::find_if(authoritative.begin(), authoritative.end(), [&](const auto& c) {
        return c.name == qname && c.type == r.query.type;
    });
    if (it == authoritative.end() || it->variants.empty()) return s;
    s.compared = true;
    const auto records = answer_records(r);
    for (const auto& v : it->variants) {
        if (v.records == records && v.rcode == r.rcode) return s;
    }
    s.outcome = ResolutionOutcome::mismatch;
    s.detail = "resolver answers " + (r.rcode == kRcodeNxdomain ? "NXDOMAIN" : join(records)) +
               "; the authoritatives serve " +
               (it->variants.front().rcode == kRcodeNxdomain ? "NXDOMAIN"
                                                             : join(it->variants.front().records));
    return s;
}

std::optional<double> percentile(std::vector<double> values, double p) {
    if (values.empty()) return std::nullopt;
    std::sort(values.begin(), values.end());
    // Nearest rank: the smallest value with at least p of the values at or below it.
    const double rank = std::ceil(p * static_cast<double>(values.size()));
    const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
    return values[std::min(index, values.size() - 1)];
}

ResolutionSummary summarize(const ResolverZoneState& s, const ResolutionSettings& settings,
                            ResolutionTime now) {
    ResolutionSummary out;
    const auto recent_start = now - settings.recent_window;
    const auto baseline_start = recent_start - settings.baseline_window;
    std::vector<double> recent, baseline;
    for (const auto& sample : s.uncached) {
        if (sample.outcome != ResolutionOutcome::ok || sample.at > now) continue;
        if (sample.at >= recent_start) {
            recent.push_back(sample.seconds);
        } else if (sample.at >= baseline_start) {
            baseline.push_back(sample.seconds);
        }
    }
    out.recent_samples = recent.size();
    out.baseline_samples = baseline.size();
    out.recent_p95 = percentile(recent, 0.95);
    out.recent_median = percentile(recent, 0.5);
    out.baseline = percentile(baseline, 0.5);
    if (s.last_uncached) {
        out.resolvable = s.last_uncached->outcome == ResolutionOutcome::ok;
        out.unverified = s.last_uncached->outcome == ResolutionOutcome::from_cache;
    }
    for (const auto& c : s.cached) {
        if (c.outcome == ResolutionOutcome::mismatch) ++out.cached_mismatches;
        if (is_failure(c.outcome) && c.outcome != ResolutionOutcome::mismatch)
            ++out.cached_failures;
    }
    return out;
}

ResolverZoneState& ResolutionTracker::at(const std::string& zone, const std::string& resolver,
                                         const std::string& vantage) {
    auto [it, inserted] = states_.try_emplace(Key{zone, resolver, vantage});
    if (inserted) {
        it->second.zone = zone;
        it->second.resolver = resolver;
        it->second.vantage = vantage;
    }
    return it->second;
}

void ResolutionTracker::observe_uncached(const ResolutionSample& sample) {
    ResolverZoneState& s = at(sample.zone, sample.resolver, sample.vantage);
    s.uncached.push_back(
        UncachedPoint{sample.at, static_cast<float>(sample.seconds), sample.outcome});
    s.last_uncached = sample;
    ++s.uncached_probes;
    if (is_failure(sample.outcome)) {
        ++s.consecutive_failures;
        s.last_failure = sample;
    } else if (sample.outcome == ResolutionOutcome::ok) {
        s.consecutive_failures = 0;
    }
}

void ResolutionTracker::observe_cached_round(const std::string& zone, const std::string& resolver,
                                             const std::string& vantage,
                                             std::vector<ResolutionSample> samples) {
    ResolverZoneState& s = at(zone, resolver, vantage);
    s.cached_probes += samples.size();
    s.cached = std::move(samples);
}

void ResolutionTracker::trim(ResolutionTime now) {
    const auto keep_from = now - settings_.recent_window - settings_.baseline_window;
    for (auto& [key, s] : states_) {
        while (!s.uncached.empty() && s.uncached.front().at < keep_from) s.uncached.pop_front();
    }
}

void ResolutionTracker::retain_zones(const std::vector<std::string>& zones) {
    std::erase_if(states_, [&](const auto& entry) {
        return std::find(zones.begin(), zones.end(), std::get<0>(entry.first)) == zones.end();
    });
}

std::vector<ResolverZoneState> ResolutionTracker::states() const {
    std::vector<ResolverZoneState> out;
    out.reserve(states_.size());
    for (const auto& [key, s] : states_) out.push_back(s);
    return out;
}

std::chrono::milliseconds stale_after(const ResolutionSettings& settings) {
    // Three missed rounds, or the failing streak's length in rounds, whichever is longer: a
    // streak must be able to build up before its first sample goes stale.
    return settings.interval * std::max(3, settings.failing_after + 1);
}

namespace {

bool fresh(const ResolverZoneState& s, const ResolutionSettings& settings, ResolutionTime now) {
    return s.last_uncached && now - s.last_uncached->at <= stale_after(settings);
}

ResolutionCondition condition(std::string kind, const ResolverZoneState& s, std::string reason) {
    return ResolutionCondition{std::move(kind), s.zone, s.resolver, s.vantage, std::move(reason)};
}

}  // namespace

std::vector<ResolutionCondition> evaluate_resolution_failing(
    const std::vector<ResolverZoneState>& states, const ResolutionSettings& settings,
    ResolutionTime now) {
    std::vector<ResolutionCondition> out;
    for (const auto& s : states) {
        if (!fresh(s, settings, now) || s.consecutive_failures < settings.failing_after) continue;
        const ResolutionSample& last = s.last_failure ? *s.last_failure : *s.last_uncached;
        out.push_back(condition(
            "resolution_failing", s,
            "a new name under " + s.zone + " failed " + std::to_string(s.consecutive_failures) +
                " times in a row through " + s.resolver +
                " (last: " + std::string(to_string(last.outcome)) +
                (last.detail.empty() ? "" : ", " + last.detail) + "): users cannot resolve it"));
    }
    return out;
}

std::vector<ResolutionCondition> evaluate_resolution_slow(
    const std::vector<ResolverZoneState>& states, const ResolutionSettings& settings,
    ResolutionTime now) {
    std::vector<ResolutionCondition> out;
    const double threshold = std::chrono::duration<double>(settings.slow_after).count();
    for (const auto& s : states) {
        if (!fresh(s, settings, now)) continue;
        const ResolutionSummary sum = summarize(s, settings, now);
        if (!sum.recent_p95) continue;
        const double p95 = *sum.recent_p95;
        if (p95 > threshold) {
            out.push_back(condition("resolution_slow", s,
                                    "uncached p95 " + seconds_text(p95) + " is above " +
                                        seconds_text(threshold) + " (" +
                                        std::to_string(sum.recent_samples) + " probes)"));
        } else if (sum.baseline && *sum.baseline > 0 &&
                   sum.baseline_samples >= kMinBaselineSamples &&
                   p95 > settings.slow_factor * *sum.baseline) {
            out.push_back(condition("resolution_slow", s,
                                    "uncached p95 " + seconds_text(p95) + " is " +
                                        ratio_text(p95 / *sum.baseline) + "x its baseline " +
                                        seconds_text(*sum.baseline) + " (limit " +
                                        ratio_text(settings.slow_factor) + "x)"));
        }
    }
    return out;
}

std::vector<ResolutionCondition> evaluate_resolution_unverified(
    const std::vector<ResolverZoneState>& states, const ResolutionSettings& settings,
    ResolutionTime now) {
    std::vector<ResolutionCondition> out;
    for (const auto& s : states) {
        if (!fresh(s, settings, now)) continue;
        if (s.last_uncached->outcome != ResolutionOutcome::from_cache) continue;
        out.push_back(condition(
            "resolution_unverified", s,
            "the uncached probe is not reaching the authoritatives: " + s.last_uncached->detail));
    }
    return out;
}

std::vector<ResolutionCondition> evaluate_resolution(const std::vector<ResolverZoneState>& states,
                                                     const ResolutionSettings& settings,
                                                     ResolutionTime now) {
    auto out = evaluate_resolution_failing(states, settings, now);
    for (auto& c : evaluate_resolution_slow(states, settings, now)) out.push_back(std::move(c));
    for (auto& c : evaluate_resolution_unverified(states, settings, now)) {
        out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace nswatch
