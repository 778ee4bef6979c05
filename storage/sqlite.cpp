#include "storage/sqlite.hpp"

#include <utility>

namespace nswatch {

StorageError make_storage_error(const std::string& path, std::string_view doing, sqlite3* db,
                                int rc) {
    // sqlite3_errmsg says what went wrong in this call; sqlite3_errstr only names the code.
    // Prefer the former when the connection has it, since it often names the table or statement.
    std::string message = "history database '";
    message += path;
    message += "': ";
    message += doing;
    message += ": ";
    int extended = rc;
    if (db != nullptr && sqlite3_errcode(db) != SQLITE_OK) {
        message += sqlite3_errmsg(db);
        extended = sqlite3_extended_errcode(db);
    } else {
        message += sqlite3_errstr(rc);
    }
    message += " (SQLite error ";
    message += std::to_string(extended);
    message += ")";
    return StorageError(message, extended);
}

Statement::Statement(sqlite3* db, std::string_view sql, const std::string& path)
    : db_(db), path_(&path) {
    int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc != SQLITE_OK) {
        std::string doing = "preparing \"";
        doing += sql;
        doing += "\"";
        throw make_storage_error(path, doing, db, rc);
    }
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_), path_(other.path_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(stmt_);
        stmt_ = std::exchange(other.stmt_, nullptr);
        db_ = other.db_;
        path_ = other.path_;
    }
    return *this;
}

Statement& Statement::bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    // SQLITE_TRANSIENT: callers pass views of temporaries; the copy is cheap next to the insert.
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int index, const void* data, size_t size) {
    sqlite3_bind_blob(stmt_, index, data, static_cast<int>(size), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // The statement's start is enough to tell which one failed; the message is a log line.
    std::string_view sql = sqlite3_sql(stmt_);
    std::string doing = "running \"";
    doing += sql.substr(0, 60);
    if (sql.size() > 60) doing += "...";
    doing += "\"";
    sqlite3_reset(stmt_);
    throw make_storage_error(*path_, doing, db_, rc);
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int i) const {
    const auto* text = sqlite3_column_text(stmt_, i);
    if (text == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(text),
                       static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
}

std::string_view Statement::column_blob(int i) const {
    const void* data = sqlite3_column_blob(stmt_, i);
    if (data == nullptr) return {};
    return {static_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(stmt_, i))};
}

Database::Database(std::string path, bool create) : path_(std::move(path)) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        StorageError error = make_storage_error(path_, "cannot open", db_, rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw error;
    }
    sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() {
    sqlite3_close_v2(db_);
}

void Database::fail(std::string_view doing, int rc) const {
    throw make_storage_error(path_, doing, db_, rc);
}

void Database::exec(std::string_view sql) {
    std::string copy(sql);  // sqlite3_exec wants a NUL-terminated string
    int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        std::string doing = "running \"";
        doing += sql.substr(0, 60);
        doing += "\"";
        fail(doing, rc);
    }
}

std::optional<int64_t> Database::query_int(std::string_view sql) {
    Statement s = prepare(sql);
    if (!s.step() || s.column_is_null(0)) return std::nullopt;
    return s.column_int(0);
}

std::string Database::query_text(std::string_view sql) {
    Statement s = prepare(sql);
    if (!s.step()) return {};
    return s.column_text(0);
}

Transaction::Transaction(Database& db) : db_(db) {
    // IMMEDIATE takes the write lock up front, so SQLITE_BUSY shows here (where the writer retries)
    // rather than half-way through a batch.
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    open_ = false;
}

}  // namespace nswatch
