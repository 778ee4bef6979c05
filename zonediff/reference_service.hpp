// The daemon's reference check (zone `reference:`, alert zone_drift): its own thread and probe
// engine ask each zone's round of reference questions (zonediff/reference_checker.hpp) every
// probe.interval of one address per provider the monitor's snapshot lists, and keep the drifts
// for alerts (alerts/zone_drift_rule.hpp), metrics and the status API.
//
// IMPLEMENTATION NOTES
// - A reference file is read at start (a bad file stops the daemon with PATH:LINE: reason) and
//   read again when its modification time changes (a bad edit keeps the previous reference and
//   is shown as the zone's error, logged once: the bad file is not read again until it changes).
// - A hidden primary's zone is transferred (AXFR, TSIG when `key`) at the first round and again
//   whenever the primary's SOA serial, asked each round, differs from the reference's. After a
//   failed transfer the next waits (zonediff/reference_retry.hpp): probe.interval, doubling with
//   each failure in a row up to `every` (at most 1 h); the zone's error names the last failure
//   and the next attempt. New settings for the zone (a reload) try again at once.
// - The questions go out from the default vantage over UDP; a timeout keeps the previous verdict
//   (provider_down says why), so a drift ends only when the provider answers right.
// - Rounds are blocking on this thread (ProbeEngine::run_batch): the monitor's loop never waits.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "config/schema.hpp"
#include "monitor/zone_state.hpp"
#include "prober/engine.hpp"
#include "zonediff/reference_checker.hpp"
#include "zonediff/reference_retry.hpp"
#include "zonediff/service_inbox.hpp"

namespace nswatch {

class ReferenceService {
  public:
    /// Reads every reference file (throws std::runtime_error "PATH:LINE: reason" for a bad one)
    /// and starts the thread. `snapshot`: the monitor's newest.
    ReferenceService(Config config, std::function<SnapshotPtr()> snapshot);
    ~ReferenceService();
    ReferenceService(const ReferenceService&) = delete;
    ReferenceService& operator=(const ReferenceService&) = delete;

    /// Metrics to serve: nswatch_reference_*.
    std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
    /// Every zone's newest standing; safe from any thread.
    std::vector<ZoneDriftResult> results() const;
    /// Use `config` from the next round on (SIGHUP); safe from any thread.
    void reconfigure(Config config);
    /// Rounds run so far (for tests).
    uint64_t rounds() const;

    /// Any zone of `config` has a reference.
    static bool wanted(const Config& config);

  private:
    void loop();
    void run_round(std::chrono::steady_clock::time_point now);
    /// Read or transfer the references that are new or changed; `initial`: a bad file throws.
    /// `now`: the round's start, for the transfer back-off.
    void refresh_references(bool initial, std::chrono::steady_clock::time_point now);
    void record_metrics(const std::vector<ZoneDriftResult>& results);
    bool take_config();

    Config config_;
    std::function<SnapshotPtr()> snapshot_;
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Family<prometheus::Counter>& checked_;
    prometheus::Family<prometheus::Gauge>& differing_;
    prometheus::Family<prometheus::Gauge>& rrsets_;
    /// One (zone, provider)'s exported series, looked up once: a Family::Add per series and
    /// round hashes its labels under the family's lock.
    struct Exported {
        uint64_t counted = 0;  ///< checked, as exported
        std::string vantage;   ///< of the series below (the default vantage may be reconfigured)
        prometheus::Counter* checked = nullptr;
        prometheus::Gauge* differing = nullptr;
    };
    std::map<std::tuple<std::string, std::string>, Exported> exported_;
    std::map<std::string, prometheus::Gauge*> rrsets_exported_;
    std::unique_ptr<ProbeEngine> engine_;  ///< this thread's, kept between rounds (its sockets)
    ReferenceChecker checker_;             ///< this thread's; results_ is its published copy
    /// Per zone: the file's modification time when read (files), the serial transferred (primary).
    std::map<std::string, std::filesystem::file_time_type> file_times_;
    std::map<std::string, ReferenceSettings> loaded_settings_;
    /// Per zone whose reference file failed to read: the settings and the file's modification
    /// time it failed with (not read again until one of them changes).
    struct FailedFile {
        ReferenceSettings settings;
        std::filesystem::file_time_type mtime;
    };
    std::map<std::string, FailedFile> failed_files_;
    /// Per zone with a hidden primary: its failed transfers, and the settings they were made with.
    struct Retry {
        ReferenceSettings settings;
        TransferRetry state;
    };
    std::map<std::string, Retry> retries_;
    ServiceInbox inbox_;        ///< reconfigure() and stop, for the thread
    mutable std::mutex mutex_;  ///< guards results_ and rounds_
    std::vector<ZoneDriftResult> results_;
    uint64_t rounds_ = 0;
    std::thread thread_;
};

}  // namespace nswatch
