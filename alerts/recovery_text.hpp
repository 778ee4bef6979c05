// The words of a RESOLVED notification: what recovered and how long the trouble lasted ("provider
// gamma answers again for shop.test from vantage default on all 4 addresses over UDP after 3 m
// 12 s down"), never the firing text, which described the trouble. Pure.
#pragma once

#include <chrono>
#include <string>

#include "alerts/lifecycle.hpp"

namespace nswatch {

/// "45 s", "3 m 12 s", "2 h 5 m", "1 d 3 h": two units at most, the largest first.
std::string human_duration(std::chrono::seconds d);

/// The RESOLVED text of `a` at `now`, from its labels and start (active_since, kept across
/// restarts) and the zone's state now (`zone` null when the zone is no longer watched).
std::string recovery_text(const Alert& a, const ZoneState* zone, WallTime now);

}  // namespace nswatch
