// Resolution probe history in the same SQLite file as the authoritative probes, in a table of its
// own (resolution_probes). Why not the probe rows with a resolver marker: those rows are keyed by
// nameserver/provider/transport and feed the availability rollups and `status`; resolver rows
// there would have to be filtered out of every existing query, and their outcomes (from_cache,
// mismatch) are not authoritative outcomes. The table is created with IF NOT EXISTS rather than a
// schema migration so it stays independent of the authoritative schema's version numbering.
//
// Writes are one transaction per round (a few rows per zone and resolver), on the resolution
// prober's own thread, never the authoritative loop's.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "resolver/resolution.hpp"
#include "storage/sqlite.hpp"

namespace nswatch {

class ResolutionHistory {
  public:
    /// Opens (creating when `create`) the database at `path` and the table. Rows older than
    /// `retention` are deleted as new ones are written. Throws StorageError.
    ResolutionHistory(const std::string& path, std::chrono::milliseconds retention,
                      bool create = true);

    /// Append one round's samples and drop expired rows, in one transaction.
    void write(const std::vector<ResolutionSample>& samples);

    /// Samples sent in [since, until), oldest first.
    std::vector<ResolutionSample> load(ResolutionTime since, ResolutionTime until);

    /// True when the file has the table (status uses it to tell "never probed" apart).
    static bool has_table(Database& db);

  private:
    Database db_;
    std::chrono::milliseconds retention_;
    Statement insert_;
    Statement expire_;
};

}  // namespace nswatch
