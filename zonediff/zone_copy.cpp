#include "zonediff/zone_copy.hpp"

#include <sstream>

#include "checks/zone_diff.hpp"
#include "prober/axfr.hpp"

namespace nswatch {

namespace {

constexpr uint16_t kTypeSoa = 6;

}  // namespace

ZoneCopy fetch_zone_copy(const std::string& zone, const ProviderTransfer& p, const Config& config,
                         std::chrono::milliseconds timeout) {
    TransferSource src;
    src.server = p.transfer.server;
    src.port = p.transfer.port;
    src.source = p.transfer.source;
    src.timeout = timeout;
    if (!p.transfer.key.empty()) {
        if (const TsigKey* k = config.find_key(p.transfer.key)) src.key = *k;
    }
    ZoneCopy c;
    c.provider = p.provider;
    c.server = src.server + (src.port == 53 ? "" : "#" + std::to_string(src.port));
    transfer_zone(zone, src, [&](Record&& r) {
        if (r.type == kTypeSoa && !c.serial) {
            // rdata: mname rname serial refresh retry expire minimum
            std::istringstream in(r.rdata);
            std::string mname, rname;
            uint32_t serial = 0;
            if (in >> mname >> rname >> serial) c.serial = serial;
        }
        c.records.push_back(std::move(r));
    });
    sort_for_diff(c.records);
    return c;
}

}  // namespace nswatch
