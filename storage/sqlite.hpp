// A thin RAII layer over the SQLite C API: one connection, prepared statements, and StorageError
// carrying the file name and SQLite's own words. Nothing nswatch-specific lives here.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nswatch {

/// A history database that cannot be opened, read or written. what() names the file and quotes
/// SQLite.
class StorageError : public std::runtime_error {
  public:
    StorageError(const std::string& message, int sqlite_code)
        : std::runtime_error(message), code_(sqlite_code) {}

    /// SQLite extended result code (SQLITE_BUSY, SQLITE_FULL, SQLITE_CORRUPT...), 0 when not
    /// SQLite's.
    int code() const { return code_; }
    /// The primary result code (code() & 0xff): what callers classify on.
    int primary_code() const { return code_ & 0xff; }

  private:
    int code_;
};

/// One prepared statement; reset (not re-prepared) between uses, which is what makes batches fast.
class Statement {
  public:
    Statement() = default;
    Statement(sqlite3* db, std::string_view sql, const std::string& path);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const void* data, size_t size);  ///< a BLOB
    Statement& bind_null(int index);

    /// Steps once: true when a row is ready, false when done. Throws StorageError on failure.
    bool step();
    /// Steps to completion and resets, for statements that return no rows.
    void run();
    void reset();

    int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
    bool column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
    std::string column_text(int i) const;
    std::string_view column_blob(int i) const;

  private:
    sqlite3_stmt* stmt_ = nullptr;
    sqlite3* db_ = nullptr;
    const std::string* path_ = nullptr;  ///< the owning Database's path, for error messages
};

/// One connection to one file.
class Database {
  public:
    /// Opens path, creating it when missing if create is set. Throws StorageError naming path when
    /// SQLite refuses (or the file is missing and create is not set).
    explicit Database(std::string path, bool create = true);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(std::string_view sql);  ///< runs one or more statements without results
    Statement prepare(std::string_view sql) { return Statement(db_, sql, path_); }
    /// The first column of the first row of sql as an integer, nullopt when no row or NULL.
    std::optional<int64_t> query_int(std::string_view sql);
    std::string query_text(std::string_view sql);

    const std::string& path() const { return path_; }
    sqlite3* handle() { return db_; }

    /// A StorageError naming this file, saying what we were doing, with SQLite's message and code.
    [[noreturn]] void fail(std::string_view doing, int rc) const;

  private:
    std::string path_;
    sqlite3* db_ = nullptr;
};

/// A StorageError for path: "history database 'path': <doing>: <sqlite message> (<code name>)".
StorageError make_storage_error(const std::string& path, std::string_view doing, sqlite3* db,
                                int rc);

/// BEGIN IMMEDIATE ... COMMIT, rolled back by the destructor unless commit() was reached.
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Database& db_;
    bool open_ = true;
};

}  // namespace nswatch
