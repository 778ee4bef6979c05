// Cross-vantage reading of several instances' snapshots: a provider lagging at some vantages but
// current at others is an anycast node (or a path) out of date, not the provider as a whole.
// Pure: takes snapshots, returns findings.
#pragma once

#include <string>
#include <vector>

#include "monitor/zone_state.hpp"

namespace nswatch {

struct VantageFinding {
    std::string zone;                   ///< zone name
    std::string provider;               ///< provider concerned
    std::vector<std::string> vantages;  ///< vantages where it is lagging / down
    std::vector<std::string> fine_at;   ///< vantages where it is current and up
    std::string kind;                   ///< "lagging" or "down"
    std::string text;                   ///< one sentence for a person
};

/// Compare the providers of each zone across snapshots (one per vantage).
std::vector<VantageFinding> compare_vantages(const std::vector<Snapshot>& snapshots);

}  // namespace nswatch
