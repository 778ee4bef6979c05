// Incremental zone transfer (IXFR, RFC 1995), the I/O half: the request (with the cached copy's
// serial, TSIG-signed when a key is set) over TCP, and the reply read message by message into an
// IxfrReader (dns/ixfr.hpp), which decides what the records mean.
//
// IMPLEMENTATION NOTES
// - Its own TCP reader: ldns_axfr_next ends a transfer at the second SOA, which in an IXFR reply
//   is the first step's old SOA. ldns still builds the request, parses each message and signs and
//   verifies TSIG; this file only frames messages (the two-octet length, RFC 1035 §4.2.2).
// - TSIG: the first message must verify against the request's MAC; later messages that carry a
//   TSIG are verified in turn (RFC 8945 §5.3.1). A server that signs none while a key is set is
//   refused.
#pragma once

#include <string>

#include "dns/ixfr.hpp"
#include "prober/axfr.hpp"

namespace nswatch {

/// Ask `source` for the changes to `zone` since the reader's known serial and read the whole
/// reply into `reader`. Throws std::runtime_error naming the server and the reason: cannot
/// connect, timed out, closed early, an rcode other than NOERROR (NOTIMP or REFUSED from a server
/// that does not offer IXFR), bad TSIG, or a reply that is not a valid IXFR (from the reader).
void request_ixfr(const std::string& zone, const TransferSource& source, IxfrReader& reader);

}  // namespace nswatch
