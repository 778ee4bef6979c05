#include "monitor/check_verdict.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace nswatch {

std::string_view to_string(PluginStatus s) {
    switch (s) {
        case PluginStatus::ok:
            return "OK";
        case PluginStatus::warning:
            return "WARNING";
        case PluginStatus::critical:
            return "CRITICAL";
        case PluginStatus::unknown:
            return "UNKNOWN";
    }
    return "UNKNOWN";
}

namespace {
int rank(PluginStatus s) {
    switch (s) {
        case PluginStatus::ok:
            return 0;
        case PluginStatus::warning:
            return 1;
        case PluginStatus::critical:
            return 2;
        case PluginStatus::unknown:
            return 3;
    }
    return 3;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string who(const Target& t) {
    return t.nameserver + " [" + t.address + "] " + std::string(to_string(t.transport));
}
}  // namespace

PluginStatus worst(PluginStatus a, PluginStatus b) {
    return rank(a) >= rank(b) ? a : b;
}

ZoneVerdict judge_zone_check(const ZoneCheckInput& in) {
    ZoneVerdict v;
    v.zone = in.zone;
    auto add = [&v](PluginStatus s, std::string text) {
        v.findings.push_back({s, std::move(text)});
    };
    if (in.delegation_missing.missing()) {
        // Someone answered, and the answer is that resolvers cannot reach the zone: not UNKNOWN.
        add(PluginStatus::critical, "delegation missing (" +
                                        std::string(to_string(in.delegation_missing.reason)) +
                                        "): " + in.delegation_missing.detail);
    } else if (!in.discovery_error.empty()) {
        add(PluginStatus::unknown, "delegation not discovered: " + in.discovery_error);
    } else if (in.results.empty()) {
        add(PluginStatus::unknown, "no nameserver address to probe");
    }

    if (!in.results.empty()) {
        std::map<std::string, size_t> ok_by_provider;
        size_t ok = 0;
        for (const auto& r : in.results) {
            ok_by_provider.try_emplace(r.target.provider, 0);
            if (r.outcome == Outcome::ok && r.soa) {
                ++ok;
                ++ok_by_provider[r.target.provider];
                if (r.rtt > in.rtt_warning) {
                    add(PluginStatus::warning,
                        who(r.target) + " answered in " +
                            std::to_string(
                                std::chrono::duration_cast<std::chrono::milliseconds>(r.rtt)
                                    .count()) +
                            " ms");
                }
            } else if (r.outcome != Outcome::truncated) {
                add(PluginStatus::warning, who(r.target) + ": " +
                                               std::string(to_string(r.outcome)) +
                                               (r.detail.empty() ? "" : " (" + r.detail + ")"));
            }
        }
        if (ok == 0) add(PluginStatus::critical, "no nameserver answered SOA authoritatively");
        for (const auto& [provider, n] : ok_by_provider) {
            if (n == 0 && ok > 0) {
                add(PluginStatus::critical, "provider " + provider + " answers no probe");
            }
        }
        for (const auto& a : in.round.addresses) {
            if (a.state == SerialState::behind) {
                add(PluginStatus::warning, who(a.target) + " serves serial " +
                                               std::to_string(*a.serial) + ", " +
                                               std::to_string(a.behind_by) + " behind");
            } else if (a.state == SerialState::ahead_of_primary) {
                add(PluginStatus::critical, who(a.target) + " serves serial " +
                                                std::to_string(*a.serial) +
                                                ", ahead of the primary's " +
                                                std::to_string(in.round.reference.value_or(0)));
            } else if (a.state == SerialState::undefined) {
                add(PluginStatus::critical, who(a.target) + " serves serial " +
                                                std::to_string(*a.serial) +
                                                " that cannot be ordered against the others "
                                                "(RFC 1982)");
            }
        }
    }
    if (!in.only_in_parent.empty()) {
        add(PluginStatus::warning,
            "NS only in the parent's delegation: " + join(in.only_in_parent));
    }
    if (!in.only_in_child.empty()) {
        add(PluginStatus::warning, "NS only in the zone's own NS set: " + join(in.only_in_child));
    }
    if (in.discovery_error.empty() && in.providers.size() == 1) {
        add(PluginStatus::warning,
            "a single provider (" + in.providers.front() + "): nothing to fail over to");
    }
    for (const auto& ns : in.nameservers_without_address) {
        add(PluginStatus::warning, "NS " + ns + " has no address");
    }

    std::stable_sort(v.findings.begin(), v.findings.end(), [](const Finding& a, const Finding& b) {
        return rank(a.severity) > rank(b.severity);
    });
    for (const auto& f : v.findings) v.status = worst(v.status, f.severity);

    // Summary: the state in one line, the first finding when there is one.
    size_t answered = 0;
    for (const auto& r : in.results) answered += (r.outcome == Outcome::ok && r.soa) ? 1 : 0;
    std::string line = in.zone + ": ";
    if (in.round.newest) line += "serial " + std::to_string(*in.round.newest) + ", ";
    line += std::to_string(answered) + "/" + std::to_string(in.results.size()) +
            " probes answered, " + std::to_string(in.providers.size()) + " provider" +
            (in.providers.size() == 1 ? "" : "s");
    if (!v.findings.empty()) {
        line += "; " + v.findings.front().text;
        if (v.findings.size() > 1) line += " (+" + std::to_string(v.findings.size() - 1) + " more)";
    }
    v.summary = line;
    return v;
}

}  // namespace nswatch
