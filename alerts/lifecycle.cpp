#include "alerts/lifecycle.hpp"

#include <algorithm>
#include <set>

namespace nswatch {

namespace {
std::string zone_of(const Alert& a) {
    auto it = a.labels.find("zone");
    return it == a.labels.end() ? std::string() : it->second;
}
}  // namespace

std::string_view to_string(AlertStatus s) {
    return s == AlertStatus::firing ? "firing" : "pending";
}

bool Silence::matches(const Alert& a) const {
    for (const auto& [k, v] : matchers) {
        if (k == "alertname" || k == "rule") {
            if (a.rule != v) return false;
            continue;
        }
        auto it = a.labels.find(k);
        if (it == a.labels.end() || it->second != v) return false;
    }
    return true;
}

void AlertTracker::restore(std::vector<Alert> alerts) {
    alerts_.clear();
    for (auto& a : alerts) alerts_.emplace(a.fingerprint, std::move(a));
}

namespace {

std::string label(const Alert& a, const char* name) {
    auto it = a.labels.find(name);
    return it == a.labels.end() ? std::string() : it->second;
}

bool provider_level(std::string_view rule) {
    // Not lame_delegation: a provider whose servers answer REFUSED is down for resolvers, and
    // lame_delegation is what says why.
    return rule == "nameserver_timeout" || rule == "nameserver_down" || rule == "tcp_failing" ||
           rule == "latency_high";
}

}  // namespace

const Alert* inhibitor_of(const Alert& a, const std::map<std::string, Alert>& alerts) {
    const bool by_provider = provider_level(a.rule);
    const bool by_delegation = a.rule == "lame_delegation" || a.rule == "delegation_mismatch";
    if (!by_provider && !by_delegation) return nullptr;
    for (const auto& [_, src] : alerts) {
        if (src.status != AlertStatus::firing) continue;
        if (by_provider && src.rule == "provider_down" && label(src, "zone") == label(a, "zone") &&
            label(src, "provider") == label(a, "provider") &&
            label(src, "vantage") == label(a, "vantage")) {
            return &src;
        }
        if (by_delegation && src.rule == "delegation_missing" &&
            label(src, "zone") == label(a, "zone")) {
            return &src;
        }
    }
    return nullptr;
}

std::vector<Notice> AlertTracker::evaluate(const std::vector<Condition>& conditions, WallTime now,
                                           const std::vector<Silence>& silences,
                                           const JudgedFn& judged) {
    auto silenced = [&](const Alert& a) {
        return std::any_of(silences.begin(), silences.end(),
                           [&](const Silence& s) { return s.expires > now && s.matches(a); });
    };
    std::set<std::string> present;
    // Conditions that hold first, then holds: a hold only keeps an alert nothing else reported.
    for (const auto& c : conditions) {
        if (c.hold) continue;
        const std::string fp = fingerprint(c.rule, c.labels);
        if (!present.insert(fp).second) continue;  // a rule reporting the same labels twice
        auto [it, inserted] = alerts_.try_emplace(fp);
        Alert& a = it->second;
        if (inserted) {
            a.fingerprint = fp;
            a.rule = c.rule;
            a.labels = c.labels;
            a.active_since = now;
        }
        a.severity = c.severity;
        a.summary = c.summary;
        a.last_active = now;
        if (a.status == AlertStatus::pending && now - a.active_since >= c.for_) {
            a.status = AlertStatus::firing;
            a.firing_since = now;
        }
    }
    for (const auto& c : conditions) {
        if (!c.hold) continue;
        const std::string fp = fingerprint(c.rule, c.labels);
        auto it = alerts_.find(fp);
        if (it == alerts_.end() || !present.insert(fp).second) continue;
        it->second.last_active = now;  // hysteresis counts from the last time it could be true
    }

    std::vector<Notice> out;
    std::vector<std::string> resolved;
    for (auto& [fp, a] : alerts_) {
        if (present.count(fp) != 0 || (judged && !judged(a))) continue;
        // A pending alert whose condition went away never fired: it simply ends. A firing one
        // waits out resolve_after, so a server that flaps every round does not page each time.
        if (a.status == AlertStatus::pending || now - a.last_active >= settings_.resolve_after) {
            resolved.push_back(fp);
        }
    }
    // Inhibition is judged on the state after this evaluation's changes, before removals: an
    // inhibitor resolving now no longer mutes (its own RESOLVED goes out with the others).
    std::set<std::string> ending(resolved.begin(), resolved.end());
    auto muted = [&](const Alert& a) {
        const Alert* src = inhibitor_of(a, alerts_);
        return src != nullptr && ending.count(src->fingerprint) == 0;
    };
    for (auto& [fp, a] : alerts_) {
        if (ending.count(fp) != 0 || a.status != AlertStatus::firing) continue;
        if (muted(a) || silenced(a)) continue;
        if (!a.notified) {
            a.notified = true;
            a.last_notified = now;
            out.push_back({a, false, "first notification", now});
        } else if (now - a.last_notified >= settings_.repeat_interval) {
            a.last_notified = now;
            out.push_back({a, false, "repeat interval elapsed", now});
        }
    }
    for (const auto& fp : resolved) {
        auto it = alerts_.find(fp);
        Alert& a = it->second;
        if (a.status == AlertStatus::firing && a.notified) {
            // A muted alert that was paged before its inhibitor fired waits for the inhibitor
            // to end: its RESOLVED then goes out with the inhibitor's.
            if (muted(a)) continue;
            out.push_back({a, true, "resolved", now});
        }
        alerts_.erase(it);
    }
    std::stable_sort(out.begin(), out.end(), [](const Notice& x, const Notice& y) {
        return zone_of(x.alert) < zone_of(y.alert);
    });
    return out;
}

std::vector<NoticeGroup> group_by_zone(const std::vector<Notice>& notices) {
    std::map<std::string, NoticeGroup> groups;
    for (const auto& n : notices) {
        const std::string zone = zone_of(n.alert);
        auto& g = groups[zone];
        g.zone = zone;
        g.notices.push_back(n);
    }
    std::vector<NoticeGroup> out;
    for (auto& [_, g] : groups) {
        std::stable_partition(g.notices.begin(), g.notices.end(),
                              [](const Notice& n) { return !n.resolved; });
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace nswatch
