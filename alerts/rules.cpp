// IMPLEMENTATION NOTES
// Rules group what they report so one incident is one alert: lag and provider failures per
// provider and vantage (forty lagging addresses of one provider are one serial_lag), nameserver
// failures per address and transport but not for a provider that is wholly down (provider_down
// says it once), answer and delegation differences per zone. Thresholds are compared with >=.
#include "alerts/rules.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>
#include <sstream>

#include "checks/rrsig.hpp"

namespace nswatch {

namespace {

using std::chrono::duration;
using std::chrono::duration_cast;
using std::chrono::seconds;

struct GroupKey {
    std::string provider, vantage;
    auto operator<=>(const GroupKey&) const = default;
};

std::map<GroupKey, std::vector<const TargetState*>> by_provider(const ZoneState& z) {
    std::map<GroupKey, std::vector<const TargetState*>> out;
    for (const auto& t : z.targets) out[{t.target.provider, t.target.vantage}].push_back(&t);
    return out;
}

std::string secs(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f s", s);
    return buf;
}

Condition make(const RuleInput& in, std::string_view rule, Labels labels, std::string summary) {
    Condition c;
    c.rule = std::string(rule);
    c.severity = in.settings.severity;
    labels["zone"] = in.zone.zone;
    c.labels = std::move(labels);
    c.summary = std::move(summary);
    c.for_ = in.settings.for_;
    return c;
}

// Up to five addresses, then "and N more": a message stays readable with forty.
std::string address_list(const std::vector<const TargetState*>& ts) {
    std::set<std::string> addrs;
    for (const auto* t : ts) addrs.insert(t->target.address);
    std::string out;
    size_t n = 0;
    for (const auto& a : addrs) {
        if (n == 5) {
            out += " and " + std::to_string(addrs.size() - 5) + " more";
            break;
        }
        out += (n++ ? ", " : "") + a;
    }
    return out;
}

bool lame_outcome(Outcome o) {
    return o == Outcome::not_authoritative || o == Outcome::refused || o == Outcome::nxdomain;
}

bool group_down(const std::vector<const TargetState*>& ts) {
    return !ts.empty() && std::none_of(ts.begin(), ts.end(), [](auto* t) { return t->up; });
}

// REFRESH of the SOA served with the newest serial (the largest if servers disagree).
std::optional<uint32_t> newest_refresh(const ZoneState& z) {
    std::optional<uint32_t> out;
    for (const auto& t : z.targets) {
        if (!t.last.soa() || !z.newest_serial || t.last.soa()->serial != *z.newest_serial) continue;
        out = std::max(out.value_or(0), t.last.soa()->refresh);
    }
    return out;
}

std::vector<Condition> serial_lag(const RuleInput& in) {
    std::vector<Condition> out;
    double threshold = duration<double>(in.settings.threshold).count();
    std::string basis;
    if (in.settings.refresh_factor > 0) {
        if (auto refresh = newest_refresh(in.zone)) {
            threshold = in.settings.refresh_factor * *refresh;
            char buf[64];
            std::snprintf(buf, sizeof buf, " = %g x REFRESH %u s", in.settings.refresh_factor,
                          *refresh);
            basis = buf;
        }
    }
    for (const auto& [key, ts] : by_provider(in.zone)) {
        std::vector<const TargetState*> behind;
        double worst = 0;
        uint32_t versions = 0;
        std::optional<uint32_t> serial;
        for (const auto* t : ts) {
            if (t->serial_state != SerialState::behind || t->lag_seconds <= 0) continue;
            if (t->lag_seconds < threshold) continue;
            behind.push_back(t);
            if (t->lag_seconds >= worst) {
                worst = t->lag_seconds;
                serial = t->serial;
            }
            versions = std::max(versions, t->behind_by);
        }
        if (behind.empty()) continue;
        std::ostringstream s;
        s << "provider " << key.provider << " is behind on " << in.zone.zone << " from vantage "
          << key.vantage << ": serves serial " << (serial ? std::to_string(*serial) : "?")
          << ", newest is "
          << (in.zone.newest_serial ? std::to_string(*in.zone.newest_serial) : "?") << " ("
          << versions << " version" << (versions == 1 ? "" : "s") << " behind), lagging for "
          << secs(worst) << " (threshold " << secs(threshold) << basis << "); addresses "
          << address_list(behind);
        out.push_back(make(in, "serial_lag", {{"provider", key.provider}, {"vantage", key.vantage}},
                           s.str()));
    }
    return out;
}

std::vector<Condition> serial_ahead(const RuleInput& in) {
    std::vector<Condition> out;
    for (const auto& [key, ts] : by_provider(in.zone)) {
        std::vector<const TargetState*> ahead;
        for (const auto* t : ts) {
            if (t->serial_state == SerialState::ahead_of_primary) ahead.push_back(t);
        }
        if (ahead.empty()) continue;
        const auto* t = ahead.front();
        std::ostringstream s;
        s << "provider " << key.provider << " serves serial "
          << (t->serial ? std::to_string(*t->serial) : "?") << " for " << in.zone.zone
          << ", ahead of the primary; addresses " << address_list(ahead);
        out.push_back(make(in, "serial_ahead",
                           {{"provider", key.provider}, {"vantage", key.vantage}}, s.str()));
    }
    return out;
}

std::string ago(WallTime since, WallTime now) {
    if (since == WallTime{}) return "never answered";
    return "last answered " + secs(duration<double>(now - since).count()) + " ago";
}

// nameserver_timeout and nameserver_down share the walk; `timeouts` picks which half.
std::vector<Condition> nameserver_failures(const RuleInput& in, bool timeouts) {
    std::vector<Condition> out;
    const std::string_view rule = timeouts ? "nameserver_timeout" : "nameserver_down";
    for (const auto& [key, ts] : by_provider(in.zone)) {
        if (group_down(ts)) continue;  // provider_down reports it once
        for (const auto* t : ts) {
            if (t->up || lame_outcome(t->last.outcome)) continue;
            if ((t->last.outcome == Outcome::timeout) != timeouts) continue;
            std::ostringstream s;
            s << t->target.nameserver << " (" << t->target.address << ", "
              << to_string(t->target.transport) << ") of provider " << key.provider
              << " fails from vantage " << key.vantage << ": " << t->consecutive_failures
              << " failures in a row, last " << to_string(t->last.outcome) << "; "
              << ago(t->last_success, in.now);
            out.push_back(make(in, rule,
                               {{"provider", key.provider},
                                {"vantage", key.vantage},
                                {"nameserver", t->target.nameserver},
                                {"address", t->target.address},
                                {"transport", std::string(to_string(t->target.transport))}},
                               s.str()));
        }
    }
    return out;
}

std::vector<Condition> nameserver_timeout(const RuleInput& in) {
    return nameserver_failures(in, true);
}
std::vector<Condition> nameserver_down(const RuleInput& in) {
    return nameserver_failures(in, false);
}

std::vector<Condition> provider_down(const RuleInput& in) {
    std::vector<Condition> out;
    for (const auto& [key, ts] : by_provider(in.zone)) {
        if (!group_down(ts)) continue;
        std::ostringstream s;
        s << "every address of provider " << key.provider << " fails for " << in.zone.zone
          << " from vantage " << key.vantage << " (" << ts.size()
          << " targets: " << address_list(ts) << "); last " << to_string(ts.front()->last.outcome);
        out.push_back(make(in, "provider_down",
                           {{"provider", key.provider}, {"vantage", key.vantage}}, s.str()));
    }
    return out;
}

std::vector<Condition> answer_mismatch(const RuleInput& in) {
    if (in.zone.answers_consistent) return {};
    std::string s = "answers differ across providers for " + in.zone.zone + ": ";
    for (size_t i = 0; i < in.zone.answer_differences.size() && i < 3; ++i) {
        s += (i ? "; " : "") + in.zone.answer_differences[i];
    }
    return {make(in, "answer_mismatch", {}, s)};
}

std::vector<Condition> lame_delegation(const RuleInput& in) {
    std::vector<Condition> out;
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (const auto& t : in.zone.targets) {
        if (!lame_outcome(t.last.outcome)) continue;
        if (!seen.insert({t.target.vantage, t.target.nameserver, t.target.address}).second)
            continue;
        std::ostringstream s;
        s << t.target.nameserver << " (" << t.target.address << ") is delegated " << in.zone.zone
          << " but answers " << to_string(t.last.outcome) << " for it (provider "
          << t.target.provider << ", vantage " << t.target.vantage << ")";
        out.push_back(make(in, "lame_delegation",
                           {{"provider", t.target.provider},
                            {"vantage", t.target.vantage},
                            {"nameserver", t.target.nameserver},
                            {"address", t.target.address}},
                           s.str()));
    }
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "-" : out;
}

std::vector<Condition> delegation_mismatch(const RuleInput& in) {
    const auto& d = in.zone.delegation;
    if (d.consistent || !d.error.empty()) return {};
    return {make(in, "delegation_mismatch", {},
                 "parent and zone NS sets of " + in.zone.zone + " differ: only at the parent: " +
                     join(d.only_in_parent) + "; only in the zone: " + join(d.only_in_child))};
}

// Critical at once (`for` 0): no resolver can reach the zone. Labels are the zone only, so a
// change of reason (lame servers, then NXDOMAIN) stays one alert.
std::vector<Condition> missing_delegation(const RuleInput& in) {
    const DelegationMissing m = delegation_missing(in.zone);
    if (!m.missing()) return {};
    return {make(in, "delegation_missing", {},
                 "the delegation of " + in.zone.zone + " is missing (" +
                     std::string(to_string(m.reason)) + "): " + m.detail)};
}

// The snapshot holds each target's newest probe, not a window of them: `for` supplies the window
// (latency above the threshold on every evaluation for that long).
std::vector<Condition> latency_high(const RuleInput& in) {
    std::vector<Condition> out;
    const double threshold = duration<double>(in.settings.threshold).count();
    for (const auto& t : in.zone.targets) {
        const auto p95 = t.rtt_p95();
        if (!p95 || *p95 < threshold) continue;
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      " (%s, %s) answers with a p95 of %.0f ms over its last %u answers "
                      "(threshold %.0f ms)",
                      t.target.address.c_str(), std::string(to_string(t.target.transport)).c_str(),
                      *p95 * 1000, static_cast<unsigned>(t.rtt_samples), threshold * 1000);
        out.push_back(make(in, "latency_high",
                           {{"provider", t.target.provider},
                            {"vantage", t.target.vantage},
                            {"nameserver", t.target.nameserver},
                            {"address", t.target.address},
                            {"transport", std::string(to_string(t.target.transport))}},
                           t.target.nameserver.str() + buf));
    }
    return out;
}

std::vector<Condition> dnssec_signature_expiry(const RuleInput& in) {
    std::optional<WallTime> soonest;
    const TargetState* where = nullptr;
    for (const auto& t : in.zone.targets) {
        if (t.last.outcome != Outcome::ok) continue;
        const auto exp = earliest_rrsig_expiration(t.last.answer());
        if (exp && (!soonest || *exp < *soonest)) {
            soonest = exp;
            where = &t;
        }
    }
    if (!soonest || *soonest - in.now >= in.settings.threshold) return {};
    const double hours = duration<double>(*soonest - in.now).count() / 3600;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.1f h", hours);
    return {make(in, "dnssec_signature_expiry", {},
                 "an RRSIG of " + in.zone.zone + " served by " + where->target.nameserver.str() +
                     " expires in " + buf + (hours < 0 ? " (already expired)" : ""))};
}

}  // namespace

const std::vector<RuleDef>& rule_table() {
    static const std::vector<RuleDef> table{
        {"serial_lag", serial_lag},
        {"serial_ahead", serial_ahead},
        {"nameserver_timeout", nameserver_timeout},
        {"nameserver_down", nameserver_down},
        {"provider_down", provider_down},
        {"answer_mismatch", answer_mismatch},
        {"lame_delegation", lame_delegation},
        {"delegation_mismatch", delegation_mismatch},
        {"delegation_missing", missing_delegation},
        {"latency_high", latency_high},
        {"dnssec_signature_expiry", dnssec_signature_expiry},
    };
    return table;
}

std::vector<Condition> evaluate_rules(const Snapshot& snapshot, WallTime now,
                                      const AlertSettings& settings) {
    std::vector<Condition> out;
    for (const auto& zone : snapshot.zones) {
        for (const auto& rule : rule_table()) {
            const RuleSettings rs = settings.rule_for(std::string(rule.name), zone.zone);
            if (!rs.enabled) continue;
            auto found = rule.evaluate(RuleInput{zone, now, rs});
            out.insert(out.end(), std::make_move_iterator(found.begin()),
                       std::make_move_iterator(found.end()));
        }
    }
    return out;
}

std::string fingerprint(const std::string& rule, const Labels& labels) {
    uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](std::string_view s) {
        for (unsigned char c : s) {
            h ^= c;
            h *= 1099511628211ULL;
        }
        h ^= 0xff;  // separator: ("ab","c") and ("a","bc") differ
        h *= 1099511628211ULL;
    };
    mix(rule);
    for (const auto& [k, v] : labels) {
        mix(k);
        mix(v);
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace nswatch
