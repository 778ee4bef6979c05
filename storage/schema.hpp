// The history schema and its migrations. PRAGMA user_version holds the schema version; migrations
// run in order, each in its own transaction, and only those above the file's version.
#pragma once

#include <string_view>
#include <vector>

#include "storage/sqlite.hpp"

namespace nswatch {

/// One step of the schema: the SQL that takes a database from version - 1 to version.
struct Migration {
    int version;           ///< the user_version after this step
    std::string_view sql;  ///< statements run in one transaction
};

/// Every migration, in order. The last one's version is the current schema version.
const std::vector<Migration>& migrations();
int current_schema_version();

/// The file's schema version (PRAGMA user_version); 0 for an empty database.
int schema_version(Database& db);

/// Sets the connection pragmas (WAL, synchronous=NORMAL, busy_timeout) and applies the missing
/// migrations. Throws StorageError for a damaged file or one written by a newer nswatch.
/// Returns how many migrations ran (0 when the file was already current).
int open_schema(Database& db, int busy_timeout_ms);

}  // namespace nswatch
