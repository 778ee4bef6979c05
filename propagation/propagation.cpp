#include "propagation/propagation.hpp"

#include <algorithm>
#include <map>

#include "dns/serial.hpp"

namespace nswatch {

namespace {

bool same_address(const Target& a, const Target& b) {
    return a.address == b.address && a.vantage == b.vantage && a.port == b.port &&
           a.nameserver == b.nameserver;
}

// `seen` is the target serial or newer.
bool at_least(uint32_t seen, uint32_t target) {
    const SerialOrder o = compare_serials(seen, target);
    return o == SerialOrder::equal || o == SerialOrder::greater;
}

}  // namespace

std::optional<double> AddressPropagation::seconds(PropagationTime started) const {
    if (!served) return std::nullopt;
    return std::max(0.0, std::chrono::duration<double>(*served - started).count());
}

PropagationRun::PropagationRun(std::string zone, std::optional<uint32_t> serial,
                               std::optional<uint32_t> baseline, PropagationTime started,
                               std::string trigger, std::vector<Target> targets,
                               PropagationSettings settings)
    : zone_(std::move(zone)),
      serial_(serial),
      baseline_(baseline),
      started_(started),
      trigger_(std::move(trigger)),
      settings_(settings) {
    for (auto& t : targets) {
        const bool dup = std::any_of(addresses_.begin(), addresses_.end(),
                                     [&](const auto& a) { return same_address(a.target, t); });
        if (dup) continue;
        addresses_.push_back(AddressPropagation{std::move(t), {}, {}, {}, 0});
        schedule_.push_back(Schedule{started_, std::chrono::milliseconds(0), false});
    }
}

std::vector<Target> PropagationRun::due(PropagationTime now) {
    std::vector<Target> out;
    if (finished(now)) return out;
    for (size_t i = 0; i < addresses_.size(); ++i) {
        Schedule& s = schedule_[i];
        AddressPropagation& a = addresses_[i];
        if (a.served || s.in_flight || s.next > now) continue;
        s.in_flight = true;
        // The next probe is timed from this one's send, so a slow reply does not slow the cadence.
        s.gap = s.gap.count() == 0
                    ? settings_.first_interval
                    : std::min(settings_.max_interval,
                               std::chrono::milliseconds(static_cast<int64_t>(
                                   static_cast<double>(s.gap.count()) * settings_.backoff)));
        s.next = now + s.gap;
        a.probes++;
        out.push_back(a.target);
    }
    return out;
}

AddressPropagation* PropagationRun::find(const Target& t) {
    for (auto& a : addresses_) {
        if (same_address(a.target, t)) return &a;
    }
    return nullptr;
}

void PropagationRun::observe(const ProbeResult& r) {
    AddressPropagation* a = find(r.target);
    if (a == nullptr) return;
    schedule_[static_cast<size_t>(a - addresses_.data())].in_flight = false;
    if (a->served || r.outcome != Outcome::ok || !r.soa) return;
    const uint32_t seen = r.soa->serial;
    a->last_serial = seen;
    if (!serial_ && baseline_ && compare_serials(seen, *baseline_) == SerialOrder::greater) {
        serial_ = seen;
    }
    if (serial_ && at_least(seen, *serial_)) {
        a->served = r.sent_wall;
    } else {
        a->last_old = r.sent_wall;
    }
}

PropagationTime PropagationRun::next_wakeup() const {
    PropagationTime next = started_ + settings_.deadline;
    for (size_t i = 0; i < addresses_.size(); ++i) {
        if (!addresses_[i].served && !schedule_[i].in_flight)
            next = std::min(next, schedule_[i].next);
    }
    return next;
}

bool PropagationRun::complete() const {
    return !addresses_.empty() && std::all_of(addresses_.begin(), addresses_.end(),
                                              [](const auto& a) { return a.served.has_value(); });
}

bool PropagationRun::finished(PropagationTime now) const {
    return complete() || now >= started_ + settings_.deadline;
}

std::vector<ProviderPropagation> PropagationRun::providers() const {
    std::map<std::pair<std::string, std::string>, ProviderPropagation> by;
    std::map<std::pair<std::string, std::string>, std::string> laggard;
    for (const auto& a : addresses_) {
        const auto key = std::make_pair(a.target.provider, a.target.vantage);
        auto& p = by[key];
        p.provider = a.target.provider;
        p.vantage = a.target.vantage;
        p.addresses++;
        const auto s = a.seconds(started_);
        if (!s) {
            if (laggard[key].empty()) laggard[key] = a.target.address;
            continue;
        }
        p.served++;
        if (!p.seconds || *s > *p.seconds) {
            p.seconds = s;
            p.slowest_address = a.target.address;
        }
    }
    std::vector<ProviderPropagation> out;
    for (auto& [key, p] : by) {
        // Not done until its last address is: report the laggard, not a partial time.
        if (p.served != p.addresses) {
            p.seconds.reset();
            p.slowest_address = laggard[key];
        }
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<ProviderPropagation> PropagationRun::take_completed_providers() {
    std::vector<ProviderPropagation> out;
    for (auto& p : providers()) {
        const std::string key = p.provider + "\n" + p.vantage;
        if (!p.seconds || std::find(reported_providers_.begin(), reported_providers_.end(), key) !=
                              reported_providers_.end()) {
            continue;
        }
        reported_providers_.push_back(key);
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace nswatch
