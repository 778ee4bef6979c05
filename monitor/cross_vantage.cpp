#include "monitor/cross_vantage.hpp"

#include <map>
#include <set>

namespace nswatch {

namespace {
std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}
}  // namespace

std::vector<VantageFinding> compare_vantages(const std::vector<Snapshot>& snapshots) {
    // (zone, provider) -> vantage -> state
    struct Seen {
        bool lagging = false;
        bool up = true;
    };
    std::map<std::pair<std::string, std::string>, std::map<std::string, Seen>> seen;
    for (const auto& s : snapshots) {
        for (const auto& z : s.zones) {
            for (const auto& p : z.providers) {
                seen[{z.zone, p.provider}][s.vantage] = Seen{p.lagging, p.up};
            }
        }
    }
    std::vector<VantageFinding> out;
    for (const auto& [key, by_vantage] : seen) {
        for (const std::string kind : {"down", "lagging"}) {
            VantageFinding f;
            f.zone = key.first;
            f.provider = key.second;
            f.kind = kind;
            for (const auto& [vantage, st] : by_vantage) {
                const bool bad = kind == "down" ? !st.up : (st.up && st.lagging);
                (bad ? f.vantages : f.fine_at).push_back(vantage);
            }
            if (f.vantages.empty()) continue;
            if (f.fine_at.empty()) {
                f.text = f.zone + ": provider " + f.provider + " is " + kind +
                         " from every vantage (" + join(f.vantages) + ")";
            } else if (kind == "lagging") {
                f.text = f.zone + ": provider " + f.provider + " is behind only from " +
                         join(f.vantages) + " (current from " + join(f.fine_at) +
                         "): an anycast node or a path is out of date, not the whole provider";
            } else {
                f.text = f.zone + ": provider " + f.provider + " is down only from " +
                         join(f.vantages) + " (up from " + join(f.fine_at) +
                         "): a path or an anycast node fails, not the whole provider";
            }
            out.push_back(std::move(f));
        }
    }
    return out;
}

}  // namespace nswatch
