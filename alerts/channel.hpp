// Channels turn an outbox payload (alerts/notification.hpp) into the HTTP requests their service
// documents. Pure: no sockets, so each format is tested on its own; alerts/http_client.hpp sends.
// One file per channel: webhook.cpp, slack.cpp, pagerduty.cpp, alertmanager.cpp.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "alerts/notification.hpp"
#include "config/alerts_schema.hpp"

namespace nswatch {

/// The generic JSON webhook: the payload as is, signed with HMAC-SHA256 when a key is set
/// (header "X-Nswatch-Signature: sha256=<hex of HMAC(key, body)>").
std::vector<HttpRequest> webhook_requests(const ChannelConfig& c, const nlohmann::json& payload);
/// Slack incoming webhook: one message with one coloured attachment per alert.
std::vector<HttpRequest> slack_requests(const ChannelConfig& c, const nlohmann::json& payload);
/// PagerDuty Events API v2: one trigger/resolve event per alert, dedup_key = fingerprint.
std::vector<HttpRequest> pagerduty_requests(const ChannelConfig& c, const nlohmann::json& payload);
/// Alertmanager API v2: POST <url>/api/v2/alerts with the alerts as a list. Firing alerts carry
/// endsAt = now + `hold` so Alertmanager keeps them until our resolved notice (or a repeat).
std::vector<HttpRequest> alertmanager_requests(const ChannelConfig& c,
                                               const nlohmann::json& payload, WallTime now,
                                               std::chrono::milliseconds hold);

/// Dispatch on c.type.
std::vector<HttpRequest> channel_requests(const ChannelConfig& c, const nlohmann::json& payload,
                                          WallTime now, std::chrono::milliseconds hold);

/// Lower-case hex of HMAC-SHA256(key, body).
std::string hmac_sha256_hex(const std::string& key, const std::string& body);

}  // namespace nswatch
