// Propagation runs in SQLite, in the history database next to the probe tables (tables of their
// own, created if missing, so the history schema is untouched): one row per run, one per address.
// Runs are rare (one per zone change), so they are written directly from the propagation thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "propagation/propagation_service.hpp"
#include "storage/sqlite.hpp"

namespace nswatch {

/// The newest finished run's outcome for one provider.
struct ProviderLastPropagation {
    std::string zone;                ///< zone
    std::string provider;            ///< provider
    std::string vantage;             ///< vantage
    std::optional<uint32_t> serial;  ///< the run's serial
    std::string trigger;             ///< notify or poll
    int64_t started_ms = 0;          ///< run start, Unix ms
    std::optional<double> seconds;   ///< propagation seconds; empty = did not complete
    std::string end_reason;          ///< complete, deadline, superseded, stopped
    std::string laggard;             ///< an address that did not serve it, when incomplete
};

class PropagationStore {
  public:
    /// Opens (creating if asked) the database and the propagation tables. Throws StorageError.
    explicit PropagationStore(const std::string& path, bool create = true);
    /// Store one finished run.
    void record(const PropagationRecord& run);
    /// Per zone, provider and vantage, the newest run (sorted by zone, provider).
    std::vector<ProviderLastPropagation> last_per_provider();

  private:
    Database db_;
};

}  // namespace nswatch
