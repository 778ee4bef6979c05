// One provider's copy of a zone, transferred by AXFR (prober/axfr.hpp) with the provider's
// `transfer` settings and sorted for zonediff/zone_diff.hpp. Shared by `nswatch diff` and the
// daemon's scheduled diff (zonediff/diff_service.hpp), which keeps each copy and brings it up to
// date by IXFR (prober/ixfr.hpp) when the provider offers it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.hpp"
#include "dns/probe_result.hpp"

namespace nswatch {

struct ZoneCopy {
    std::string provider;            ///< provider name
    std::string server;              ///< server (with #port when not 53) it came from
    std::optional<uint32_t> serial;  ///< its SOA serial, if it had an SOA
    std::vector<Record> records;     ///< sorted by sort_for_diff
};

/// Transfer `zone` from provider `p` (its key looked up in config.keys), `timeout` per read.
/// Throws std::runtime_error naming the server and the reason.
ZoneCopy fetch_zone_copy(const std::string& zone, const ProviderTransfer& p, const Config& config,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A copy brought up to date, and how.
struct ZoneCopyRefresh {
    ZoneCopy copy;
    /// "axfr" (whole zone), "ixfr" (differences applied to the cached copy), "current" (IXFR:
    /// the cached copy is up to date), "ixfr_full" (IXFR answered with the whole zone).
    std::string transfer;
    std::string fallback;  ///< why IXFR was tried and not used (AXFR followed); else empty
};

/// Bring `cached` (this provider's previous copy of `zone`, if any) up to date: IXFR from its
/// serial when it has one and came from the same server, AXFR otherwise or when IXFR fails (the
/// reason lands in `fallback`). Throws std::runtime_error when the AXFR fails too.
ZoneCopyRefresh refresh_zone_copy(const std::string& zone, const ProviderTransfer& p,
                                  const Config& config, std::chrono::milliseconds timeout,
                                  std::optional<ZoneCopy> cached);

}  // namespace nswatch
