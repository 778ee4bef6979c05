// G. Failover simulation (docs/AUDIT-CHECKS.md section G): take one provider away, judge the rest.
#include <algorithm>
#include <set>

#include "audit/rules.hpp"
#include "audit/rules/support.hpp"

namespace nswatch {

using namespace audit_detail;

namespace {

bool in_delegation(const AuditEvidence& e, const std::string& nameserver) {
    return e.from_config ||
           std::binary_search(e.parent_ns.begin(), e.parent_ns.end(), nameserver) ||
           // parent_ns may be unsorted when built by hand
           std::find(e.parent_ns.begin(), e.parent_ns.end(), nameserver) != e.parent_ns.end();
}

/// Why the servers in `rest` (at least one) do not carry the zone (empty: they do).
std::vector<std::string> judge_remaining(const AuditEvidence& e, const AuditEvidence& rest) {
    std::vector<std::string> why;
    AuditEvidence working = rest;
    working.servers.clear();
    for (const auto& s : rest.servers) {
        if (server_answers_udp(s)) working.servers.push_back(s);
    }
    if (working.servers.empty())
        why.push_back("none of the " + std::to_string(rest.servers.size()) +
                      " remaining addresses answers authoritatively over UDP");
    if (std::none_of(rest.servers.begin(), rest.servers.end(), server_answers_tcp))
        why.push_back("none of the remaining addresses answers over TCP");
    if (working.servers.empty()) return why;

    // Every watched question must still get an authoritative reply from someone.
    std::set<std::pair<std::string, uint16_t>> asked, answered;
    for (const auto& s : e.servers) {
        for (const auto& r : s.watched) asked.insert({r.query.name, r.query.type});
    }
    for (const auto& s : working.servers) {
        for (const auto& r : s.watched) {
            if (r.answered() && r.aa && (r.rcode == 0 || r.rcode == 3))
                answered.insert({r.query.name, r.query.type});
        }
    }
    for (const auto& q : asked) {
        if (!answered.count(q))
            why.push_back(q.first + " " + rr_type_name(q.second) + " gets no authoritative answer");
    }
    std::vector<AuditSkip> ignored;
    for (const auto& f : audit_consistency(working, AuditThresholds{}, ignored)) {
        if (f.id == "CONS-SERIAL" || f.id == "CONS-ANSWERS")
            why.push_back("the remaining servers disagree (" + f.id + "): " + f.summary);
    }
    for (const auto& f : audit_dnssec(working, AuditThresholds{}, {})) {
        if (f.id == "DNSSEC-KEYSET")
            why.push_back("the remaining servers disagree (" + f.id + "): " + f.summary);
    }
    return why;
}

}  // namespace

std::vector<ProviderSurvival> simulate_failover(const AuditEvidence& e) {
    std::set<std::string> providers;
    for (const auto& s : e.servers) providers.insert(s.provider);
    std::vector<ProviderSurvival> out;
    for (const auto& p : providers) {
        const auto remains = [&](const ServerEvidence& s) {
            return s.provider != p && in_delegation(e, s.nameserver);
        };
        ProviderSurvival survival;
        survival.provider = p;
        if (std::none_of(e.servers.begin(), e.servers.end(), remains)) {
            // Nothing is left to judge, so the evidence is not copied.
            survival.reasons = {"no nameserver of another provider is in the parent's delegation"};
        } else {
            AuditEvidence rest = e;
            rest.servers.clear();
            for (const auto& s : e.servers) {
                if (remains(s)) rest.servers.push_back(s);
            }
            survival.reasons = judge_remaining(e, rest);
        }
        survival.survives = survival.reasons.empty();
        out.push_back(std::move(survival));
    }
    return out;
}

}  // namespace nswatch
