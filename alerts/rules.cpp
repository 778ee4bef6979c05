// The rule table and the serial and zone-wide rules (serial_lag, serial_ahead, answer_mismatch,
// delegation_mismatch, dnssec_signature_expiry); the availability rules are in
// alerts/health_rules.cpp. Rules group what they report so one incident is one alert: lag per
// provider and vantage (forty lagging addresses of one provider are one serial_lag), answer and
// delegation differences per zone. Thresholds are compared with >=. A provider that does not
// answer cannot be judged lagging or differing: its alerts are held, not resolved.
#include "alerts/rules.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>
#include <sstream>

#include "alerts/rule_support.hpp"
#include "dns/rrsig.hpp"
#include "monitor/delegation_missing.hpp"

namespace nswatch {

// alerts/health_rules.cpp
std::vector<Condition> provider_down(const RuleInput& in);
std::vector<Condition> nameserver_timeout(const RuleInput& in);
std::vector<Condition> nameserver_down(const RuleInput& in);
std::vector<Condition> tcp_failing(const RuleInput& in);
std::vector<Condition> lame_delegation(const RuleInput& in);
std::vector<Condition> latency_high(const RuleInput& in);
// alerts/dnssec_rules.cpp
std::vector<Condition> keyset_mismatch(const RuleInput& in);
std::vector<Condition> dnssec_invalid(const RuleInput& in);

namespace rule_support {

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

Condition hold(const RuleInput& in, std::string_view rule, Labels labels) {
    Condition c = make(in, rule, std::move(labels), "");
    c.hold = true;
    return c;
}

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

std::string outcome_text(const LastProbe& last) {
    std::string s(to_string(last.outcome));
    for (const auto& e : last.extended_errors()) s += ", " + describe(e);
    return s;
}

bool answering(const TargetState& t) {
    return t.last.outcome == Outcome::ok && t.last.soa().has_value();
}

}  // namespace rule_support

using namespace rule_support;

namespace {

using std::chrono::duration;

// REFRESH of the SOA served with the newest serial (the largest if servers disagree).
std::optional<uint32_t> newest_refresh(const ZoneState& z) {
    std::optional<uint32_t> out;
    for (const auto& t : z.targets) {
        if (!t.last.soa() || !z.newest_serial || t.last.soa()->serial != *z.newest_serial) continue;
        out = std::max(out.value_or(0), t.last.soa()->refresh);
    }
    return out;
}

bool none_answering(const std::vector<const TargetState*>& ts) {
    return std::none_of(ts.begin(), ts.end(), [](const TargetState* t) { return answering(*t); });
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
        const Labels labels{{"provider", key.provider}, {"vantage", key.vantage}};
        if (none_answering(ts)) {
            out.push_back(hold(in, "serial_lag", labels));
            continue;
        }
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
        out.push_back(make(in, "serial_lag", labels, s.str()));
    }
    return out;
}

std::vector<Condition> serial_ahead(const RuleInput& in) {
    std::vector<Condition> out;
    for (const auto& [key, ts] : by_provider(in.zone)) {
        const Labels labels{{"provider", key.provider}, {"vantage", key.vantage}};
        if (none_answering(ts)) {
            out.push_back(hold(in, "serial_ahead", labels));
            continue;
        }
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
        out.push_back(make(in, "serial_ahead", labels, s.str()));
    }
    return out;
}

std::vector<Condition> answer_mismatch(const RuleInput& in) {
    if (in.zone.answers_consistent) {
        // Agreement among the providers that answered says nothing of one that did not.
        if (!in.zone.answers_complete) return {hold(in, "answer_mismatch", {})};
        return {};
    }
    std::string s = "answers differ across providers for " + in.zone.zone + ": ";
    for (size_t i = 0; i < in.zone.answer_differences.size() && i < 3; ++i) {
        s += (i ? "; " : "") + in.zone.answer_differences[i];
    }
    return {make(in, "answer_mismatch", {}, s)};
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "-" : out;
}

std::vector<Condition> delegation_mismatch(const RuleInput& in) {
    const auto& d = in.zone.delegation;
    if (!d.error.empty()) return {hold(in, "delegation_mismatch", {})};  // not asked this time
    if (d.consistent) return {};
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

std::vector<Condition> dnssec_signature_expiry(const RuleInput& in) {
    std::optional<WallTime> soonest;
    const TargetState* where = nullptr;
    bool any_ok = false;
    for (const auto& t : in.zone.targets) {
        if (t.last.outcome != Outcome::ok) continue;
        any_ok = true;
        const auto exp = earliest_rrsig_expiration(t.last.answer());
        if (exp && (!soonest || *exp < *soonest)) {
            soonest = exp;
            where = &t;
        }
    }
    if (!any_ok) return {hold(in, "dnssec_signature_expiry", {})};
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
        {"tcp_failing", tcp_failing},
        {"provider_down", provider_down},
        {"answer_mismatch", answer_mismatch},
        {"lame_delegation", lame_delegation},
        {"delegation_mismatch", delegation_mismatch},
        {"delegation_missing", missing_delegation},
        {"latency_high", latency_high},
        {"dnssec_signature_expiry", dnssec_signature_expiry},
        {"keyset_mismatch", keyset_mismatch},
        {"dnssec_invalid", dnssec_invalid},
    };
    return table;
}

bool snapshot_rule(std::string_view rule) {
    const auto& t = rule_table();
    return std::any_of(t.begin(), t.end(), [&](const RuleDef& d) { return d.name == rule; });
}

bool judged_zone(const ZoneState& zone) {
    return zone.rounds > 0 || zone.delegation.discovered != WallTime{};
}

std::vector<Condition> evaluate_rules(const Snapshot& snapshot, WallTime now,
                                      const AlertSettings& settings) {
    std::vector<Condition> out;
    for (const auto& zone : snapshot.zones) {
        if (!judged_zone(zone)) continue;
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
