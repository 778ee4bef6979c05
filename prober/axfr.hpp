// Zone transfer (AXFR, RFC 5936) through ldns, record by record: the caller decides what to keep,
// so a 100,000-record zone is never held as ldns structures and as our Records at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
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

/// Why a transfer failed, for callers that tell a refusal from a broken transfer.
struct TransferError : std::runtime_error {
    enum class Stage { start, transfer };
    TransferError(const std::string& what, Stage stage, std::optional<int> rcode, size_t records)
        : std::runtime_error(what), stage(stage), rcode(rcode), records(records) {}
    Stage stage;               ///< start: no transfer began (no connection, bad request)
    std::optional<int> rcode;  ///< the server's error rcode, when it answered one
    size_t records = 0;        ///< records received before it failed
};

/// Transfer `zone` from `source` by AXFR; `on_record` gets each record in canonical form (as
/// probe answers are), the SOA once (its closing copy is dropped). Returns the record count.
/// Throws TransferError naming the server and the reason (refused, not authoritative, timed
/// out, connection refused, bad TSIG, incomplete), std::runtime_error for bad arguments; an
/// exception from `on_record` ends the transfer (its connection closed) and propagates.
size_t transfer_zone(const std::string& zone, const TransferSource& source,
                     const std::function<void(Record&&)>& on_record);

}  // namespace nswatch
