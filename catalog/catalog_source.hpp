// One catalog zone the daemon follows (a zones_from catalog entry): transferred from its primary by
// AXFR, then followed by IXFR from the serial held, on NOTIFY and at the SOA refresh (retry after a
// failure; catalog/refresh_schedule.hpp decides when). When the member list changes it calls
// on_change, and the daemon applies it like a reload: zones that stay keep their state.
//
// IMPLEMENTATION NOTES
// - start() runs the first transfer on the caller's thread (daemon start), so the monitor starts
//   with the members; start_in_background() (a catalog a reload adds) leaves it to the source's
//   own thread, so the reload applies at once and the members come by on_change like any change
//   of the member list. Every later transfer runs on the source's thread, never the monitor's.
// - A failed transfer or a copy that is no usable catalog (catalog/catalog_zone.hpp) keeps the
//   last good member list; it is logged and counted (nswatch_catalog_refreshes_total{result}).
// - An AXFR stops at kRecordsPerMember x max_members records: a runaway catalog is refused while
//   it is read, not after it filled the memory.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "catalog/catalog_zone.hpp"
#include "catalog/refresh_schedule.hpp"
#include "config/schema.hpp"
#include "monitor/clock.hpp"

namespace nswatch {

/// The nswatch_catalog_* metrics of every catalog the daemon follows, one series per catalog
/// (label `catalog`) in each family; shared by the sources, each of which removes its own series
/// when it stops. Collected, a family without series is left out (no catalog: no catalog lines).
struct CatalogMetrics : prometheus::Collectable {
    CatalogMetrics();
    std::vector<prometheus::MetricFamily> Collect() const override;

    std::shared_ptr<prometheus::Registry> registry;
    prometheus::Family<prometheus::Gauge>& members;
    prometheus::Family<prometheus::Gauge>& serial;
    prometheus::Family<prometheus::Gauge>& last_success;
    prometheus::Family<prometheus::Counter>& refreshes;
    prometheus::Family<prometheus::Gauge>& member_info;
};

class CatalogSource {
  public:
    static constexpr size_t kRecordsPerMember = 8;

    /// `key`: the TSIG key the entry's tsig names (looked up by the caller). `on_change` runs on
    /// the source's thread after the member list changed. `metrics` may be shared with other
    /// sources.
    CatalogSource(CatalogSettings settings, std::optional<TsigKey> key,
                  std::function<void()> on_change, std::shared_ptr<CatalogMetrics> metrics,
                  const Clock& clock = system_clocks());
    /// Stops the thread (a transfer in flight ends first) and removes this catalog's series.
    ~CatalogSource();
    CatalogSource(const CatalogSource&) = delete;
    CatalogSource& operator=(const CatalogSource&) = delete;

    /// The catalog zone's name (it never changes: another name is another source).
    const std::string& name() const { return name_; }
    /// The first transfer (logged when it fails: the daemon starts without members and retries),
    /// then the thread that follows the catalog.
    void start();
    /// The thread that follows the catalog, the first transfer included: returns at once,
    /// without members; on_change runs when that transfer brings some. A failed first transfer
    /// is logged with the next try, as any failed refresh.
    void start_in_background();
    /// A NOTIFY for the catalog arrived (thread-safe; the listener's thread).
    void notify();
    /// The last good member list (thread-safe).
    std::vector<CatalogMember> members() const;
    /// New settings of the same catalog from a reload (thread-safe): a different server, port or
    /// key is transferred afresh by AXFR.
    void reconfigure(CatalogSettings settings, std::optional<TsigKey> key);
    /// The member list of one AXFR of the catalog, for the one-shot commands (no thread, no
    /// metrics). Throws naming the failed transfer, or why the copy is no usable catalog.
    static std::vector<CatalogMember> members_once(const CatalogSettings& s,
                                                   const std::optional<TsigKey>& key);

  private:
    struct Copy {
        std::optional<uint32_t> serial;
        std::vector<Record> records;  ///< sorted by sort_for_diff
    };
    void loop();
    /// One transfer and what follows from it; true when the member list changed.
    bool refresh();
    Copy transfer(const CatalogSettings& s, const std::optional<TsigKey>& key,
                  std::optional<Copy> cached, std::string& how) const;
    void set_members(CatalogContent content);

    const Clock& clock_;
    std::function<void()> on_change_;
    const std::string name_;
    std::shared_ptr<CatalogMetrics> metrics_;

    mutable std::mutex mu_;
    std::condition_variable wake_;
    CatalogSettings settings_;            ///< under mu_
    std::optional<TsigKey> key_;          ///< under mu_
    bool settings_changed_ = false;       ///< under mu_
    bool notified_ = false;               ///< under mu_
    bool stop_ = false;                   ///< under mu_
    std::vector<CatalogMember> members_;  ///< under mu_
    std::optional<Copy> copy_;            ///< the source's thread (or start()) only
    RefreshSchedule schedule_;            ///< the source's thread (or start()) only
    /// Started by start_in_background() and no transfer succeeded yet (the source's thread only).
    bool background_first_ = false;
    std::thread thread_;
};

}  // namespace nswatch
