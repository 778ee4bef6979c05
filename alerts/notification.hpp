// The outbox payload: one zone's notices as JSON (this is also the generic webhook's body). It is
// what gets written to SQLite before any delivery is tried; channels format it when they send.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alerts/lifecycle.hpp"
#include "config/alerts_schema.hpp"

namespace nswatch {

/// {"version":"1","zone":..,"status":"firing"|"resolved","vantage":..,"alerts":[{fingerprint,
/// rule, status, severity, labels, summary, starts_at, ends_at, reason}]}. Only notices of at
/// least `min_severity`; null when none is left.
nlohmann::json group_payload(const NoticeGroup& group, const std::string& vantage,
                             AlertSeverity min_severity = AlertSeverity::info);

/// RFC 3339 UTC with seconds ("2026-12-02T17:14:55Z").
std::string rfc3339(WallTime t);

/// An HTTP POST a channel wants made.
struct HttpRequest {
    std::string url;                   ///< secret for Slack: never logged
    std::string body;                  ///< JSON
    std::vector<std::string> headers;  ///< "Name: value"
};

}  // namespace nswatch
