#include "zonediff/zone_copy.hpp"

#include "dns/ixfr.hpp"
#include "dns/rr_types.hpp"
#include "prober/axfr.hpp"
#include "prober/ixfr.hpp"
#include "zonediff/zone_diff.hpp"

namespace nswatch {

namespace {

TransferSource source_of(const ProviderTransfer& p, const Config& config,
                         std::chrono::milliseconds timeout) {
    TransferSource src;
    src.server = p.transfer.server;
    src.port = p.transfer.port;
    src.source = p.transfer.source;
    src.timeout = timeout;
    if (!p.transfer.key.empty()) {
        if (const TsigKey* k = config.find_key(p.transfer.key)) src.key = *k;
    }
    return src;
}

std::string server_text(const TransferSource& src) {
    return src.server + (src.port == 53 ? "" : "#" + std::to_string(src.port));
}

}  // namespace

ZoneCopy fetch_zone_copy(const std::string& zone, const ProviderTransfer& p, const Config& config,
                         std::chrono::milliseconds timeout) {
    const TransferSource src = source_of(p, config, timeout);
    ZoneCopy c;
    c.provider = p.provider;
    c.server = server_text(src);
    transfer_zone(zone, src, [&](Record&& r) {
        if (r.type == kTypeSoa && !c.serial) c.serial = soa_serial(r);
        c.records.push_back(std::move(r));
    });
    sort_for_diff(c.records);
    return c;
}

ZoneCopyRefresh refresh_zone_copy(const std::string& zone, const ProviderTransfer& p,
                                  const Config& config, std::chrono::milliseconds timeout,
                                  std::optional<ZoneCopy> cached) {
    const TransferSource src = source_of(p, config, timeout);
    ZoneCopyRefresh out;
    if (cached && cached->serial && cached->server == server_text(src)) {
        try {
            IxfrReader reader(*cached->serial);
            request_ixfr(zone, src, reader);
            out.copy = std::move(*cached);
            out.copy.provider = p.provider;
            switch (reader.shape()) {
                case IxfrShape::up_to_date:
                    out.transfer = "current";
                    break;
                case IxfrShape::incremental:
                    apply_ixfr(out.copy.records, reader);
                    out.transfer = "ixfr";
                    break;
                default:
                    out.copy.records = std::move(reader.full_records());
                    sort_for_diff(out.copy.records);
                    out.transfer = "ixfr_full";
                    break;
            }
            out.copy.serial = reader.new_serial();
            return out;
        } catch (const std::exception& e) {
            out.fallback = e.what();
        }
    }
    out.copy = fetch_zone_copy(zone, p, config, timeout);
    out.transfer = "axfr";
    return out;
}

}  // namespace nswatch
