#include "zonediff/reference_checker.hpp"

#include <algorithm>
#include <set>

#include "dns/dns_name.hpp"
#include "dns/rr_types.hpp"
#include "zonediff/reference_plan.hpp"

namespace nswatch {

namespace {

const std::string& provider_of(const Target* t) {
    return t->provider;
}
const std::string& provider_of(const std::string& name) {
    return name;
}

}  // namespace

std::string drift_key(const ReferenceQuestion& q) {
    if (q.negative) return q.name.rfind("nswatch-nx-", 0) == 0 ? "made-up name" : "absent type";
    return q.name + " " + rr_type_name(q.type);
}

void ReferenceChecker::set_reference(const std::string& zone,
                                     std::shared_ptr<const ReferenceZone> ref,
                                     const ReferenceSettings& settings,
                                     std::chrono::milliseconds interval, std::string source) {
    ZoneEntry& e = zones_[zone];
    e.result.zone = zone;
    e.result.source = std::move(source);
    e.result.error.clear();
    e.result.serial = ref->serial();
    e.result.rrsets = ref->rrset_count();
    e.result.per_round = rrsets_per_round(e.result.rrsets, settings.every, interval);
    std::set<std::string> keys = {"made-up name", "absent type"};
    for (size_t i = 0; i < ref->rrset_count(); ++i) {
        keys.insert(std::string(ref->rrset_owner(i)) + " " + rr_type_name(ref->rrset_type(i)));
    }
    for (auto& p : e.result.providers) {
        std::erase_if(p.drifts, [&](const auto& d) { return keys.count(d.first) == 0; });
    }
    e.ref = std::move(ref);
    e.settings = settings;
    e.right_replies.clear();  // right by another reference, or by other settings
    e.questions.clear();
    e.tickets.clear();
    e.keys.clear();
}

void ReferenceChecker::set_error(const std::string& zone, std::string error, std::string source) {
    ZoneEntry& e = zones_[zone];
    e.result.zone = zone;
    e.result.source = std::move(source);
    e.result.error = std::move(error);
    e.questions.clear();
    e.tickets.clear();
    e.keys.clear();
}

void ReferenceChecker::keep_only(const std::vector<std::string>& zones) {
    const std::set<std::string> keep(zones.begin(), zones.end());
    std::erase_if(zones_, [&](const auto& z) { return keep.count(z.first) == 0; });
}

std::shared_ptr<const ReferenceZone> ReferenceChecker::reference(const std::string& zone) const {
    const auto it = zones_.find(zone);
    return it == zones_.end() ? nullptr : it->second.ref;
}

std::vector<ProbeRequest> ReferenceChecker::start_round(const std::string& zone,
                                                        const std::vector<Target>& targets,
                                                        const ProbeSettings& probe) {
    std::vector<ProbeRequest> out;
    start_round(zone, targets, probe, out);
    return out;
}

void ReferenceChecker::start_round(const std::string& zone, const std::vector<Target>& targets,
                                   const ProbeSettings& probe, std::vector<ProbeRequest>& out) {
    out.clear();
    const auto it = zones_.find(zone);
    if (it == zones_.end() || !it->second.ref) return;
    ZoneEntry& e = it->second;
    e.tickets.clear();
    e.keys.clear();  // answers still waiting for last round's keys stay unjudged
    if (!e.result.error.empty()) {
        e.questions.clear();
        return;
    }
    const bool dnssec_ok = probe.edns && e.ref->is_signed();
    const uint64_t round = e.result.rounds++;
    // Written over last round's questions (their buffers reused).
    plan_reference_round(*e.ref, round, e.result.per_round,
                         static_cast<size_t>(std::max(0, e.settings.negative_per_round)),
                         e.questions);
    const size_t planned_count = e.questions.size();
    // The keys are needed only to skip re-asking what the plan asks anyway: none when no provider
    // has a standing drift, the usual case.
    const bool any_drift = std::any_of(e.result.providers.begin(), e.result.providers.end(),
                                       [](const auto& p) { return !p.drifts.empty(); });
    std::set<std::string> planned;
    if (any_drift) {
        for (const auto& q : e.questions) planned.insert(drift_key(q));
    }

    // The targets by provider name, each provider's addresses in their order (an insertion sort:
    // stable, and a zone has a handful of targets).
    by_provider_.clear();
    for (const auto& t : targets) {
        auto pos = by_provider_.end();
        while (pos != by_provider_.begin() && t.provider < (*(pos - 1))->provider) --pos;
        by_provider_.insert(pos, &t);
    }
    auto has_provider = [&](const std::string& name) {
        return std::binary_search(
            by_provider_.begin(), by_provider_.end(), name,
            [](const auto& a, const auto& b) { return provider_of(a) < provider_of(b); });
    };
    size_t providers = 0;
    for (size_t i = 0; i < by_provider_.size(); ++i) {
        if (i == 0 || by_provider_[i]->provider != by_provider_[i - 1]->provider) ++providers;
    }
    out.reserve(providers * (planned_count + (dnssec_ok ? 1 : 0)));
    for (auto& p : e.result.providers) {
        p.missing_rounds = has_provider(p.provider) ? 0 : p.missing_rounds + 1;
    }
    std::erase_if(e.result.providers, [](const ProviderDriftState& p) {
        return p.missing_rounds >= kForgetProviderAfter;
    });
    std::erase_if(e.right_replies, [&](const auto& kv) {
        return std::none_of(e.result.providers.begin(), e.result.providers.end(),
                            [&](const auto& p) { return p.provider == kv.first; });
    });
    for (size_t first = 0; first < by_provider_.size();) {
        const std::string& provider = by_provider_[first]->provider;
        size_t end = first + 1;
        while (end < by_provider_.size() && by_provider_[end]->provider == provider) ++end;
        const size_t addresses = end - first;
        const auto known = std::find_if(e.result.providers.begin(), e.result.providers.end(),
                                        [&](const auto& p) { return p.provider == provider; });
        if (known == e.result.providers.end()) {
            ProviderDriftState p;
            p.provider = provider;
            e.result.providers.push_back(std::move(p));
        }
        const ProviderDriftState& state =
            *std::find_if(e.result.providers.begin(), e.result.providers.end(),
                          [&](const auto& p) { return p.provider == provider; });
        // This provider's questions: the plan's, then its own re-asks appended to e.questions.
        mine_.resize(planned_count);
        for (size_t i = 0; i < planned_count; ++i) mine_[i] = static_cast<uint32_t>(i);
        for (const auto& [key, drift] : state.drifts) {
            if (mine_.size() - planned_count >= kReaskPerRound) break;
            if (planned.count(key) != 0) continue;
            auto expected = e.ref->expect(drift.name, drift.type);
            if (!expected) continue;
            ReferenceQuestion q;
            q.name = drift.name;
            q.type = drift.type;
            q.negative = key == "made-up name" || key == "absent type";
            q.expected = std::move(*expected);
            mine_.push_back(static_cast<uint32_t>(e.questions.size()));
            e.questions.push_back(std::move(q));
        }
        const Target& t = *by_provider_[first + address_for_round(round, addresses)];
        const auto right = e.right_replies.find(provider);
        const std::vector<uint32_t>* right_known =
            right == e.right_replies.end() ? nullptr : &right->second;
        if (dnssec_ok) {
            ProbeRequest& r = out.emplace_back();
            r.target = t;
            r.target.transport = Transport::udp;
            r.query.name = e.ref->apex();
            r.query.type = kTypeDnskey;
            r.query.edns = true;
            r.query.nsid = false;
            r.query.dnssec_ok = true;
            r.timeout = probe.timeout;
            e.tickets.push_back(kKeysTicket);
            e.keys[provider];
        }
        for (const uint32_t index : mine_) {
            const ReferenceQuestion& q = e.questions[index];
            ProbeRequest& r = out.emplace_back();
            // Not the whole target: its zone and nameserver names (two allocations per question)
            // are read by neither the engine nor absorb(), which has the zone from its ticket.
            r.target.address = t.address;
            r.target.family = t.family;
            r.target.port = t.port;
            r.target.provider = t.provider;
            r.target.vantage = t.vantage;
            r.target.transport = Transport::udp;
            r.query.name = q.name;
            r.query.type = q.type;
            r.query.edns = probe.edns;
            r.query.nsid = false;
            r.query.dnssec_ok = dnssec_ok;
            r.timeout = probe.timeout;
            // A positive answer is judged on its answer section alone: the engine need not keep
            // (parse into text) the authority and additional sections of an ok reply.
            r.ok_extra_sections = q.expected.kind != Expectation::Kind::answer;
            if (q.rrset != ReferenceQuestion::kNotAnRrset) {
                r.digest_reply = true;
                r.known_reply = right_known != nullptr && q.rrset < right_known->size()
                                    ? (*right_known)[q.rrset]
                                    : 0;
            }
            e.tickets.push_back(index);
        }
        first = end;
    }
    std::sort(e.result.providers.begin(), e.result.providers.end(),
              [](const auto& a, const auto& b) { return a.provider < b.provider; });
}

void ReferenceChecker::remember_reply(ZoneEntry& e, const std::string& provider, uint32_t rrset,
                                      uint32_t digest) {
    if (rrset >= e.ref->rrset_count()) return;
    const auto it = e.right_replies.find(provider);
    if (it == e.right_replies.end() && digest == 0) return;
    std::vector<uint32_t>& known =
        it != e.right_replies.end() ? it->second : e.right_replies[provider];
    if (known.size() != e.ref->rrset_count()) known.assign(e.ref->rrset_count(), 0);
    known[rrset] = digest;
}

void ReferenceChecker::judge(ZoneEntry& e, const ReferenceQuestion& q, const ProbeResult& result,
                             const std::vector<Record>* dnskeys) {
    ReferenceVerdict v;
    if (result.same_reply) {
        v.conclusive = true;  // the octets of an answer judged right before (remember_reply)
        ++unchanged_answers_;
    } else {
        v = judge_reference_answer(q, result, e.ref->apex(), e.ref->is_signed(),
                                   e.settings.compare_ttl, dnskeys);
        if (v.conclusive && q.rrset != ReferenceQuestion::kNotAnRrset && result.reply_digest != 0) {
            remember_reply(e, result.target.provider, q.rrset, v.drift ? 0 : result.reply_digest);
        }
    }
    if (!v.conclusive) return;
    for (auto& p : e.result.providers) {
        if (p.provider != result.target.provider) continue;
        ++p.checked;
        if (v.drift) {
            p.drifts[drift_key(q)] = *v.drift;
        } else if (!p.drifts.empty()) {
            p.drifts.erase(drift_key(q));
        }
    }
}

void ReferenceChecker::absorb(const std::string& zone, size_t ticket, const ProbeResult& result) {
    const auto it = zones_.find(zone);
    if (it == zones_.end() || !it->second.ref || ticket >= it->second.tickets.size()) return;
    ZoneEntry& e = it->second;
    const uint32_t index = e.tickets[ticket];
    const auto keys = e.keys.find(result.target.provider);
    if (index == kKeysTicket) {
        // A truncated reply is followed by its TCP retry (a DNSKEY set with RRSIGs is often too
        // big for UDP): the keys are that one's.
        if (keys == e.keys.end() || keys->second.arrived) return;
        if (result.outcome == Outcome::truncated) return;
        ZoneEntry::RoundKeys& k = keys->second;
        k.arrived = true;
        k.usable = result.outcome == Outcome::ok;
        for (const auto& r : result.answer) {
            if (r.type == kTypeDnskey && same_dns_name(r.owner, e.ref->apex())) {
                k.dnskeys.push_back(r);
            }
        }
        auto waiting = std::move(k.waiting);
        if (!k.usable) return;
        for (const auto& [question, answer] : waiting) {
            judge(e, e.questions[question], answer, &k.dnskeys);
        }
        return;
    }
    const ReferenceQuestion& q = e.questions[index];
    const std::vector<Record>* dnskeys = nullptr;
    if (q.expected.kind != Expectation::Kind::answer && keys != e.keys.end()) {
        ZoneEntry::RoundKeys& k = keys->second;
        if (!k.arrived) {
            k.waiting.emplace_back(index, result);
            return;
        }
        if (!k.usable) return;
        dnskeys = &k.dnskeys;
    }
    judge(e, q, result, dnskeys);
}

std::vector<ZoneDriftResult> ReferenceChecker::results() const {
    std::vector<ZoneDriftResult> out;
    for (const auto& [zone, e] : zones_) out.push_back(e.result);
    return out;
}

}  // namespace nswatch
