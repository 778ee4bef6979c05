// Sending a channel's HttpRequest with libcurl (TLS verification on, connect and total time-outs)
// and classifying the outcome the way Alertmanager's notifiers do: 2xx delivered; time-outs,
// connection errors, 429 and 5xx worth retrying; any other 4xx final (retrying cannot help).
#pragma once

#include <chrono>
#include <string>

#include "alerts/notification.hpp"

namespace nswatch {

struct HttpResult {
    long status = 0;               ///< HTTP status, 0 when none came back
    bool transport_error = false;  ///< curl failed before a status (time-out, refused, TLS)
    std::string error;             ///< curl's words, without the URL (it may hold a token)
};

enum class DeliveryVerdict { delivered, retry, give_up };
std::string_view to_string(DeliveryVerdict v);

/// Pure: what to do after `r`.
DeliveryVerdict classify(const HttpResult& r);

/// POST `request`; never throws for network trouble.
HttpResult http_post(const HttpRequest& request, std::chrono::milliseconds timeout);

}  // namespace nswatch
