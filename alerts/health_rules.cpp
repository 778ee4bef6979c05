// Availability rules: provider_down, nameserver_timeout/nameserver_down (per address, over UDP),
// tcp_failing, lame_delegation and latency_high.
//
// The verdict on an address and a provider rests on UDP, probed every round: TCP is probed every
// tcp_every-th round, so requiring it to fail too would delay provider_down by that factor. TCP
// failing while UDP answers is its own condition (tcp_failing). Nameserver alerts are raised for
// every failing address even when its whole provider is down; the lifecycle mutes them while
// provider_down fires (inhibition), so they are neither paged nor reported resolved.
// Each rule holds (Condition::hold) what it cannot judge: a target without evidence since a
// restart, an address that answered again but has not yet answered `rise` times.
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "alerts/rule_support.hpp"

namespace nswatch {

using namespace rule_support;

namespace {

std::vector<const TargetState*> udp_targets(const std::vector<const TargetState*>& ts) {
    std::vector<const TargetState*> out;
    for (const auto* t : ts) {
        if (t->target.transport == Transport::udp) out.push_back(t);
    }
    return out.empty() ? ts : out;  // a TCP-only configuration: judge by what is probed
}

Labels address_labels(const TargetState& t) {
    return {{"provider", t.target.provider.str()},
            {"vantage", t.target.vantage.str()},
            {"nameserver", t.target.nameserver.str()},
            {"address", t.target.address.str()}};
}

const TargetState* udp_twin(const std::vector<const TargetState*>& ts, const TargetState& tcp) {
    for (const auto* t : ts) {
        if (t->target.transport == Transport::udp && t->target.address == tcp.target.address) {
            return t;
        }
    }
    return nullptr;
}

}  // namespace

std::vector<Condition> provider_down(const RuleInput& in) {
    std::vector<Condition> out;
    for (const auto& [key, all] : by_provider(in.zone)) {
        const auto ts = udp_targets(all);
        bool any_up = false, all_down = true;
        int rounds = 0;
        for (const auto* t : ts) {
            any_up = any_up || (t->up && t->known);
            all_down = all_down && !t->up;
            rounds =
                rounds == 0 ? t->consecutive_failures : std::min(rounds, t->consecutive_failures);
        }
        const Labels labels{{"provider", key.provider}, {"vantage", key.vantage}};
        if (any_up) continue;
        if (!all_down) {
            out.push_back(hold(in, "provider_down", labels));
            continue;
        }
        std::ostringstream s;
        s << "provider " << key.provider << " does not answer for " << in.zone.zone
          << " from vantage " << key.vantage << ": none of its " << ts.size() << " address"
          << (ts.size() == 1 ? "" : "es") << " answered over "
          << to_string(ts.front()->target.transport) << " in the last " << rounds << " round"
          << (rounds == 1 ? "" : "s") << " (" << address_list(ts) << "; last "
          << outcome_text(ts.front()->last) << ")";
        out.push_back(make(in, "provider_down", labels, s.str()));
    }
    return out;
}

namespace {

// nameserver_timeout and nameserver_down share the walk; `timeouts` picks which one a failing
// address raises, and the other is held (a server that alternates between timing out and
// failing otherwise is one trouble, not a resolve and a page each flip).
std::vector<Condition> nameserver_failures(const RuleInput& in, bool timeouts) {
    std::vector<Condition> out;
    const std::string_view rule = timeouts ? "nameserver_timeout" : "nameserver_down";
    for (const auto& [key, all] : by_provider(in.zone)) {
        for (const auto* t : udp_targets(all)) {
            if (t->up && t->known) continue;
            const Outcome last = t->last.outcome;
            if (lame_outcome(last)) continue;  // reachable: lame_delegation says what is wrong
            // No evidence since a restart, or answering again but not yet `rise` times.
            if (t->up || last == Outcome::ok || (last == Outcome::timeout) != timeouts) {
                out.push_back(hold(in, rule, address_labels(*t)));
                continue;
            }
            std::ostringstream s;
            s << t->target.nameserver << " (" << t->target.address << ") of provider "
              << key.provider << (timeouts ? " does not answer" : " fails") << " over "
              << to_string(t->target.transport) << " from vantage " << key.vantage << ": "
              << t->consecutive_failures << " failures in a row, last " << outcome_text(t->last);
            out.push_back(make(in, rule, address_labels(*t), s.str()));
        }
    }
    return out;
}

}  // namespace

std::vector<Condition> nameserver_timeout(const RuleInput& in) {
    return nameserver_failures(in, true);
}
std::vector<Condition> nameserver_down(const RuleInput& in) {
    return nameserver_failures(in, false);
}

std::vector<Condition> tcp_failing(const RuleInput& in) {
    std::vector<Condition> out;
    for (const auto& [key, ts] : by_provider(in.zone)) {
        for (const auto* t : ts) {
            if (t->target.transport != Transport::tcp || (t->up && t->known)) continue;
            const TargetState* udp = udp_twin(ts, *t);
            // TCP's failures count as TCP's own only when UDP answered while they happened: a
            // TCP failure seen before UDP came back is the old outage, not a new trouble.
            const bool own = !t->up && t->last.outcome != Outcome::ok && udp != nullptr &&
                             udp->up && udp->known && t->last_probe > udp->since;
            if (!own) {
                out.push_back(hold(in, "tcp_failing", address_labels(*t)));
                continue;
            }
            std::ostringstream s;
            s << t->target.nameserver << " (" << t->target.address << ") of provider "
              << key.provider << " answers over UDP but not over TCP from vantage " << key.vantage
              << ": " << t->consecutive_failures << " TCP failures in a row, last "
              << outcome_text(t->last);
            out.push_back(make(in, "tcp_failing", address_labels(*t), s.str()));
        }
    }
    return out;
}

std::vector<Condition> lame_delegation(const RuleInput& in) {
    std::vector<Condition> out;
    std::map<Labels, const TargetState*> lame;
    std::map<Labels, bool> unjudged;  // no answer at all: lame or not cannot be told
    for (const auto& t : in.zone.targets) {
        Labels labels = address_labels(t);
        if (lame_outcome(t.last.outcome)) {
            lame.emplace(labels, &t);
        } else if (!answering(t)) {
            unjudged.emplace(std::move(labels), true);
        } else {
            unjudged[labels] = false;
        }
    }
    for (const auto& [labels, t] : lame) {
        std::ostringstream s;
        s << t->target.nameserver << " (" << t->target.address << ") is delegated " << in.zone.zone
          << " but answers " << outcome_text(t->last) << " for it (provider " << t->target.provider
          << ", vantage " << t->target.vantage << ")";
        out.push_back(make(in, "lame_delegation", labels, s.str()));
    }
    for (const auto& [labels, held] : unjudged) {
        if (held && !lame.count(labels)) out.push_back(hold(in, "lame_delegation", labels));
    }
    return out;
}

// The snapshot holds each target's newest probe, not a window of them: `for` supplies the window
// (latency above the threshold on every evaluation for that long).
std::vector<Condition> latency_high(const RuleInput& in) {
    std::vector<Condition> out;
    const double threshold = std::chrono::duration<double>(in.settings.threshold).count();
    for (const auto& t : in.zone.targets) {
        Labels labels = address_labels(t);
        labels["transport"] = std::string(to_string(t.target.transport));
        if (t.last.outcome != Outcome::ok) {  // no new RTT: the window says nothing about now
            out.push_back(hold(in, "latency_high", std::move(labels)));
            continue;
        }
        const auto p95 = t.rtt_p95();
        if (!p95 || *p95 < threshold) continue;
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      " (%s, %s) answers with a p95 of %.1f ms over its last %u answers "
                      "(threshold %.1f ms)",
                      t.target.address.c_str(), std::string(to_string(t.target.transport)).c_str(),
                      *p95 * 1000, static_cast<unsigned>(t.rtt_samples), threshold * 1000);
        out.push_back(make(in, "latency_high", std::move(labels), t.target.nameserver.str() + buf));
    }
    return out;
}

}  // namespace nswatch
