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

std::vector<Notice> AlertTracker::evaluate(const std::vector<Condition>& conditions, WallTime now,
                                           const std::vector<Silence>& silences) {
    auto silenced = [&](const Alert& a) {
        return std::any_of(silences.begin(), silences.end(),
                           [&](const Silence& s) { return s.expires > now && s.matches(a); });
    };
    std::vector<Notice> out;
    std::set<std::string> present;
    for (const auto& c : conditions) {
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
        if (a.status != AlertStatus::firing || silenced(a)) continue;
        if (!a.notified) {
            a.notified = true;
            a.last_notified = now;
            out.push_back({a, false, "first notification", now});
        } else if (now - a.last_notified >= settings_.repeat_interval) {
            a.last_notified = now;
            out.push_back({a, false, "repeat interval elapsed", now});
        }
    }
    for (auto it = alerts_.begin(); it != alerts_.end();) {
        Alert& a = it->second;
        if (present.count(a.fingerprint) != 0) {
            ++it;
            continue;
        }
        // A pending alert whose condition went away never fired: it simply ends. A firing one
        // waits out resolve_after, so a server that flaps every round does not page each time.
        const bool resolve =
            a.status == AlertStatus::pending || now - a.last_active >= settings_.resolve_after;
        if (!resolve) {
            ++it;
            continue;
        }
        if (a.status == AlertStatus::firing && a.notified) {
            out.push_back({a, true, "resolved", now});
        }
        it = alerts_.erase(it);
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
