#include "monitor/state_words.hpp"

#include <map>

namespace nswatch {

std::string state_text(const AddressView& a) {
    if (!a.known) return "unknown";
    if (!a.answering) return "down: " + std::string(to_string(a.last));
    if (a.last != Outcome::ok) return "last probe: " + std::string(to_string(a.last));
    switch (a.serial) {
        case SerialState::current:
            return "current";
        case SerialState::behind:
            return "behind " + std::to_string(a.behind_by);
        case SerialState::ahead_of_primary:
            return "ahead of primary";
        case SerialState::undefined:
            return "serial undefined";
        case SerialState::no_answer:
            break;
    }
    return "unknown";  // answering, but no serial judged yet
}

bool is_problem(const AddressView& a) {
    return !(a.known && a.answering && a.last == Outcome::ok && a.serial == SerialState::current);
}

PluginStatus zone_status(const std::vector<AddressView>& addresses) {
    PluginStatus status = PluginStatus::ok;
    // provider -> {addresses with evidence, of which down}
    std::map<std::string, std::pair<int, int>> providers;
    for (const AddressView& a : addresses) {
        if (!a.known) continue;
        auto& [seen, down] = providers[a.provider];
        ++seen;
        if (!a.answering) {
            ++down;
            status = worst(status, PluginStatus::warning);
            continue;
        }
        if (a.last != Outcome::ok || a.serial == SerialState::behind) {
            status = worst(status, PluginStatus::warning);
        }
        if (a.serial == SerialState::ahead_of_primary || a.serial == SerialState::undefined) {
            status = worst(status, PluginStatus::critical);
        }
    }
    for (const auto& [provider, counts] : providers) {
        if (counts.first > 0 && counts.first == counts.second) {
            status = worst(status, PluginStatus::critical);
        }
    }
    return status;
}

}  // namespace nswatch
