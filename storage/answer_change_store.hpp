// Answer changes in SQLite, in the history database beside the probe tables (a table of its own,
// created if missing, so the history schema is untouched). Changes are rare (a record edited,
// a provider serving something else), so they are written directly, with a short busy timeout:
// a locked database costs the probe loop at most that long, and the change is still logged.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "monitor/answer_changes.hpp"
#include "storage/sqlite.hpp"

namespace nswatch {

/// One stored change.
struct StoredAnswerChange {
    int64_t at_ms = 0;    ///< when the round that saw it finished, Unix ms
    std::string zone;     ///< zone
    std::string vantage;  ///< instance's default vantage
    AnswerChange change;  ///< what changed
};

class AnswerChangeStore {
  public:
    /// Opens (creating if asked) the database and the table. Throws StorageError.
    explicit AnswerChangeStore(const std::string& path, bool create = true);
    /// Store the changes one round of `zone` saw, in one transaction.
    void record(const std::string& zone, const std::string& vantage,
                const std::vector<AnswerChange>& changes, std::chrono::system_clock::time_point at);
    /// The newest `limit` changes at or after `since_ms`, newest first.
    std::vector<StoredAnswerChange> recent(int64_t since_ms, int limit);

  private:
    Database db_;
};

}  // namespace nswatch
