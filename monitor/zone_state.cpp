#include "monitor/zone_state.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "dns/serial.hpp"

namespace nswatch {

AddressView address_view(const TargetState& t) {
    return {t.target.provider.str(), t.known, t.up, t.last.outcome, t.serial_state, t.behind_by};
}

ZoneTracker::ZoneTracker(std::string zone, HealthThresholds health,
                         std::optional<std::string> primary)
    : primary_(std::move(primary)), thresholds_(health), state_(std::make_shared<ZoneState>()) {
    state_->zone = std::move(zone);
    state_->has_primary = primary_.has_value();
}

ZoneState& ZoneTracker::edit() {
    if (shared_) {
        state_ = std::make_shared<ZoneState>(*state_);
        shared_ = false;
    }
    return *state_;
}

namespace {

/// recompute's order of targets.
auto order_key(const Target& t) {
    return std::tie(t.provider, t.nameserver, t.address, t.transport, t.vantage);
}
auto order_key(const KeptTarget& t) {
    return std::tie(t.provider.str(), t.nameserver.str(), t.address.str(), t.transport,
                    t.vantage.str());
}

bool same_target(const KeptTarget& a, const Target& b) {
    return a.address == b.address && a.transport == b.transport && a.vantage == b.vantage;
}

}  // namespace

void TargetState::add_rtt(double seconds) {
    const double units = std::round(std::max(0.0, seconds) / kRttUnit);
    rtt_window[rtt_next] = static_cast<uint16_t>(std::min(units, 65535.0));
    rtt_next = static_cast<uint8_t>((rtt_next + 1) % kRttWindow);
    if (rtt_samples < kRttWindow) ++rtt_samples;
}

std::optional<double> TargetState::rtt_p95() const {
    if (rtt_samples < kMinRttSamples) return std::nullopt;
    std::array<uint16_t, kRttWindow> sorted = rtt_window;
    std::sort(sorted.begin(), sorted.begin() + rtt_samples);
    // Nearest rank: ceil(0.95 n), 1-based.
    const size_t rank = (rtt_samples * 95 + 99) / 100;
    return sorted[rank - 1] * kRttUnit;
}

TargetState* ZoneTracker::find(ZoneState& s, size_t sorted, const Target& t) {
    // Binary search first (a zone can have hundreds of targets with several vantages), then a
    // scan: a target whose provider or nameserver changed sorts elsewhere, and new ones are
    // unsorted at the end.
    const auto end = s.targets.begin() + static_cast<std::ptrdiff_t>(sorted);
    const auto it = std::lower_bound(
        s.targets.begin(), end, t,
        [](const TargetState& a, const Target& b) { return order_key(a.target) < order_key(b); });
    if (it != end && same_target(it->target, t)) return &*it;
    for (auto& ts : s.targets) {
        if (same_target(ts.target, t)) return &ts;
    }
    return nullptr;
}

std::vector<HealthChange> ZoneTracker::observe(const std::vector<ProbeResult>& results,
                                               WallTime now) {
    ZoneState& s = edit();
    const size_t sorted = s.targets.size();
    std::vector<HealthChange> changes;
    // The zone's targets mostly got the same SOA and answer: keep one copy of it.
    LastReplies replies;
    for (const auto& t : s.targets) replies.hold(t.last.reply);
    for (const auto& r : results) {
        // A truncated UDP reply is followed by its own TCP retry; the UDP path itself worked.
        if (r.outcome == Outcome::truncated) continue;
        TargetState* found = find(s, sorted, r.target);
        if (found == nullptr) {
            s.targets.emplace_back();
            s.targets.back().health = Health(thresholds_);
            found = &s.targets.back();
        }
        TargetState& t = *found;
        const bool ok = r.outcome == Outcome::ok && r.soa.has_value();
        if (!t.target.same_as(r.target)) t.target = KeptTarget(r.target);
        t.last = keep_last(r, replies);
        ++t.probes;
        const bool was_known = t.health.known();
        const bool changed = t.health.feed(ok);
        t.up = t.health.up();
        t.known = t.health.known();
        t.consecutive_failures = t.health.consecutive_failures();
        t.last_probe = now;
        if (changed || (t.known && !was_known)) t.since = now;
        if (changed) {
            changes.push_back(
                {s.zone, t.target.provider.str(), t.target.vantage.str(), t.target.nameserver.str(),
                 t.target.address.str(), t.target.transport, t.up,
                 t.up ? t.health.consecutive_successes() : t.health.consecutive_failures(),
                 r.outcome});
        }
        if (ok) {
            t.serial = r.soa->serial;
            t.last_success = now;
            t.add_rtt(r.rtt_seconds());
            serial_first_seen_.try_emplace(r.soa->serial, now);
        } else {
            ++t.failures;
        }
    }
    // Grown by doubling: give back the slack once the zone's targets are known.
    if (s.targets.size() != sorted) s.targets.shrink_to_fit();
    ++s.rounds;
    auto providers = recompute(now);
    changes.insert(changes.end(), std::make_move_iterator(providers.begin()),
                   std::make_move_iterator(providers.end()));
    return changes;
}

void ZoneTracker::set_thresholds(HealthThresholds t) {
    if (t == thresholds_) return;
    thresholds_ = t;
    for (auto& target : edit().targets) target.health.set_thresholds(t);
}

void ZoneTracker::restore_serial_first_seen(const std::map<uint32_t, WallTime>& first_seen) {
    for (const auto& [serial, at] : first_seen) {
        auto [it, inserted] = serial_first_seen_.try_emplace(serial, at);
        if (!inserted && at < it->second) it->second = at;
    }
}

std::string HealthChange::describe() const {
    std::string out = zone + ": ";
    if (address.empty()) {
        out += "provider " + provider + (vantage.empty() ? "" : " (vantage " + vantage + ")") +
               " is " +
               (up ? "up: an address answers over UDP again"
                   : "down: none of its addresses answers over UDP");
        return out;
    }
    out += nameserver + " " + address + " " + std::string(to_string(transport)) + " (provider " +
           provider + ", vantage " + vantage + ") is ";
    if (up) return out + "up: " + std::to_string(in_a_row) + " answers in a row";
    return out + "down: " + std::to_string(in_a_row) + " failures in a row, last " +
           std::string(to_string(last));
}

void ZoneTracker::set_delegation(DelegationState d) {
    edit().delegation = std::move(d);
}

void ZoneTracker::set_answers(const std::vector<AnswerComparison>& comparisons) {
    set_answers(comparisons, KeptAnswers(comparisons));
}

void ZoneTracker::set_answers(const std::vector<AnswerComparison>& comparisons,
                              KeptAnswers packed) {
    std::vector<std::string> ttl_notes;
    for (const auto& c : comparisons) {
        ttl_notes.insert(ttl_notes.end(), c.ttl_notes.begin(), c.ttl_notes.end());
    }
    if (packed.same_as(state_->answers)) {
        // Key sets, differences and completeness are told from what the packed form holds.
        if (ttl_notes != state_->ttl_notes) edit().ttl_notes = std::move(ttl_notes);
        return;
    }
    ZoneState& s = edit();
    // Key sets are told per provider and key (keyset_mismatch); the rest record by record.
    s.keysets = provider_keysets(comparisons);
    s.answer_differences = describe_differences(keyset_free_comparisons(comparisons));
    s.answers_consistent = s.answer_differences.empty();
    s.answers_complete = std::all_of(comparisons.begin(), comparisons.end(),
                                     [](const AnswerComparison& c) { return c.unanswered == 0; });
    s.ttl_notes = std::move(ttl_notes);
    // Kept for the next round's answer changes and the resolvers' comparison, which read the
    // records, providers and rcodes: packed, without the servers ("name [address]" per answer)
    // and the TTL notes (kept above).
    s.answers = std::move(packed);
}

void ZoneTracker::set_signatures(std::vector<ProviderSignatures> signatures) {
    edit().signatures = std::move(signatures);
}

std::vector<HealthChange> ZoneTracker::recompute(WallTime now) {
    ZoneState& s = edit();
    s.updated = now;
    std::map<std::string, bool> was_up;  // provider -> up, where it was judged
    for (const auto& p : s.providers) {
        if (p.known) was_up[p.provider.str()] = p.up;
    }
    s.providers.clear();

    std::vector<uint32_t> serials;
    std::optional<uint32_t> primary_serial;
    for (const auto& t : s.targets) {
        if (!t.serial) continue;
        serials.push_back(*t.serial);
        if (primary_ && t.target.nameserver == *primary_) {
            if (!primary_serial ||
                compare_serials(*primary_serial, *t.serial) == SerialOrder::less) {
                primary_serial = t.serial;
            }
        }
    }
    s.newest_serial = newest_serial(serials);
    const std::optional<uint32_t> reference = primary_serial ? primary_serial : s.newest_serial;
    if (s.newest_serial) s.newest_first_seen = serial_first_seen_[*s.newest_serial];

    for (auto& t : s.targets) {
        t.behind_by = 0;
        t.lag_seconds = 0;
        const bool answering = t.last.outcome == Outcome::ok && t.last.soa().has_value();
        if (!answering || !t.serial) {
            // A server that does not answer is down, not lagging: its last serial says nothing
            // about what it would serve now.
            t.serial_state = SerialState::no_answer;
        } else {
            const SerialVerdict v = judge_serial(*t.serial, reference, primary_serial.has_value());
            t.serial_state = v.state;
            t.behind_by = v.behind_by;
            if (v.state == SerialState::behind) {
                t.lag_seconds = std::max(
                    0.0,
                    std::chrono::duration<double>(now - serial_first_seen_[*reference]).count());
            }
        }
    }
    std::sort(s.targets.begin(), s.targets.end(), [](const TargetState& a, const TargetState& b) {
        return order_key(a.target) < order_key(b.target);
    });

    // Per provider: counts over every target; the up/down verdict over UDP targets only.
    struct UdpVerdict {
        size_t udp = 0, udp_up_known = 0, udp_down = 0;
    };
    std::vector<UdpVerdict> verdicts;
    for (const auto& t : s.targets) {
        auto it = std::find_if(s.providers.begin(), s.providers.end(), [&](const ProviderState& p) {
            return p.provider == t.target.provider;
        });
        if (it == s.providers.end()) {
            s.providers.push_back(ProviderState{t.target.provider, 0, 0, true, false, 0, 0, false});
            verdicts.emplace_back();
            it = std::prev(s.providers.end());
        }
        UdpVerdict& v = verdicts[static_cast<size_t>(it - s.providers.begin())];
        ++it->targets;
        if (t.up) ++it->targets_up;
        if (t.target.transport == Transport::udp) {
            ++v.udp;
            if (t.up && t.known) ++v.udp_up_known;
            if (!t.up) ++v.udp_down;
        }
        if (t.serial_state == SerialState::behind) {
            it->lagging = true;
            it->max_lag_seconds = std::max(it->max_lag_seconds, t.lag_seconds);
            it->max_behind_by = std::max(it->max_behind_by, t.behind_by);
        }
    }
    std::vector<HealthChange> changes;
    for (size_t i = 0; i < s.providers.size(); ++i) {
        ProviderState& p = s.providers[i];
        const UdpVerdict& v = verdicts[i];
        // No UDP target (a TCP-only configuration): the verdict falls back to every target.
        const size_t n = v.udp != 0 ? v.udp : p.targets;
        const size_t down = v.udp != 0 ? v.udp_down : p.targets - p.targets_up;
        p.up = down < n;
        p.known = v.udp_up_known > 0 || down == n;
        if (!p.known) continue;
        auto before = was_up.find(p.provider.str());
        // A provider first judged up is not news; first judged down, or any change, is.
        if (before == was_up.end() ? !p.up : before->second != p.up) {
            changes.push_back(
                {s.zone, p.provider.str(), "", "", "", Transport::udp, p.up, 0, Outcome::ok});
        }
    }
    std::sort(
        s.providers.begin(), s.providers.end(),
        [](const ProviderState& a, const ProviderState& b) { return a.provider < b.provider; });
    // Grown by doubling on the first round: no slack kept per zone.
    if (s.providers.capacity() != s.providers.size()) s.providers.shrink_to_fit();

    // Keep first-seen times only for serials still served (and the reference), so the map stays
    // as small as the number of distinct serials in flight.
    std::set<uint32_t> keep(serials.begin(), serials.end());
    if (reference) keep.insert(*reference);
    std::erase_if(serial_first_seen_, [&](const auto& kv) { return !keep.count(kv.first); });
    s.serials_in_flight.clear();
    if (serial_first_seen_.size() > 1) {
        s.serials_in_flight.assign(serial_first_seen_.begin(), serial_first_seen_.end());
    }
    return changes;
}

}  // namespace nswatch
