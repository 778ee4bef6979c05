// Zone transfer (AXFR, RFC 5936) through ldns, record by record: the caller decides what to keep,
// so a 100,000-record zone is never held as ldns structures and as our Records at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "dns/notify_packet.hpp"
#include "dns/probe_result.hpp"

namespace nswatch {

struct TransferSource {
    std::string server;                        ///< address literal
    uint16_t port = 53;                        ///< port
    std::optional<TsigKey> key;                ///< sign the request (and expect signed answers)
    std::string source;                        ///< local address to bind; empty = kernel's
    std::chrono::milliseconds timeout{10000};  ///< per read from the server
};

/// Transfer `zone` from `source` by AXFR; `on_record` gets each record in canonical form (as
/// probe answers are), the SOA once (its closing copy is dropped). Returns the record count.
/// Throws std::runtime_error naming the server and the reason (refused, not authoritative,
/// timed out, connection refused, bad TSIG, incomplete).
size_t transfer_zone(const std::string& zone, const TransferSource& source,
                     const std::function<void(Record&&)>& on_record);

}  // namespace nswatch
