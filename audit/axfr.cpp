#include "audit/axfr.hpp"

#include <algorithm>

#include "dns/rr_types.hpp"
#include "prober/axfr.hpp"

namespace nswatch {

AxfrEvidence try_axfr(const std::string& zone, const std::string& address, uint16_t port,
                      std::chrono::milliseconds timeout) {
    AxfrEvidence out;
    out.outcome = AxfrOutcome::failed;
    TransferSource source;
    source.server = address;
    source.port = port;
    source.timeout = timeout;
    // A transfer is every record between the opening and the closing SOA; guard against a
    // server that streams for ever.
    constexpr size_t kMaxRecords = 1'000'000;
    try {
        transfer_zone(zone, source, [&](Record&& r) {
            if (out.records.size() >= kMaxRecords) {
                throw TransferError("more than " + std::to_string(kMaxRecords) + " records",
                                    TransferError::Stage::transfer, std::nullopt,
                                    out.records.size());
            }
            out.records.push_back(std::move(r));
        });
        out.outcome = AxfrOutcome::allowed;
        std::sort(out.records.begin(), out.records.end());
    } catch (const TransferError& e) {
        out.records.clear();
        if (e.stage == TransferError::Stage::start) {
            out.detail = e.what();
        } else if (e.rcode) {
            out.outcome = AxfrOutcome::refused;
            out.detail = rcode_name(*e.rcode);
        } else if (e.records == 0) {
            // Connection closed or reset without a reply: most servers refuse that way.
            out.outcome = AxfrOutcome::refused;
            out.detail = "connection closed without a transfer";
        } else {
            out.detail = "transfer incomplete";
        }
    } catch (const std::exception& e) {
        out.records.clear();
        out.detail = e.what();
    }
    return out;
}

}  // namespace nswatch
