// HistoryWriter: the only thread that writes the history database. The probe loop hands results
// to submit(), which never blocks on SQLite: a bounded queue sits in between, and when it is full
// results are dropped and counted rather than stalling probes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/history.hpp"

namespace nswatch {

/// How the writer batches and maintains.
struct WriterSettings {
    size_t capacity = 100'000;  ///< results the queue holds before submit() drops
    size_t batch_size = 5'000;  ///< a batch is committed once it has this many results...
    std::chrono::milliseconds batch_interval{1000};  ///< ...or once the oldest waited this long
    std::chrono::milliseconds maintenance_interval{60'000};  ///< how often rollup + retention run
    RetentionSettings retention;                             ///< passed to apply_retention
    /// Wall clock for rollup and retention; tests replace it.
    std::function<std::chrono::system_clock::time_point()> now = [] {
        return std::chrono::system_clock::now();
    };
};

class HistoryWriter {
  public:
    /// Takes the store (opened by the caller, so a damaged file fails at start-up, not later) and
    /// starts the writer thread.
    explicit HistoryWriter(std::unique_ptr<HistoryStore> store, WriterSettings settings = {});
    ~HistoryWriter();  ///< stop()
    HistoryWriter(const HistoryWriter&) = delete;
    HistoryWriter& operator=(const HistoryWriter&) = delete;

    /// Queues one result; false (and dropped() + 1) when the queue is full or the writer stopped.
    bool submit(const ProbeResult& r);
    bool submit(ProbeResult&& r);

    /// Returns once everything submitted before the call is committed (or counted as lost).
    void flush();
    /// Drains the queue, commits, and joins the thread. Idempotent. Used at SIGTERM.
    void stop();

    /// Results refused because the queue was full (or the writer had stopped).
    uint64_t dropped() const { return dropped_.load(); }
    /// Failed database operations; each retry of a locked database counts.
    uint64_t errors() const { return errors_.load(); }
    /// Results discarded after a database error (full disk, I/O error, locked too long).
    uint64_t lost() const { return lost_.load(); }
    /// Results committed.
    uint64_t written() const { return written_.load(); }
    /// Results waiting in the queue.
    size_t queued() const;

  private:
    bool enqueue(HistoryRow row);
    void run();
    void write(std::vector<HistoryRow>& batch);
    void maintain();
    void note_error(const char* doing, int sqlite_code, const std::string& message);

    std::unique_ptr<HistoryStore> store_;
    WriterSettings settings_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;      ///< the writer thread waits on it
    std::condition_variable progress_;  ///< flush() waits on it
    std::deque<HistoryRow> queue_;
    uint64_t enqueued_ = 0;     ///< results accepted so far (under mutex_)
    uint64_t handled_ = 0;      ///< results committed or lost so far (under mutex_)
    uint64_t flush_until_ = 0;  ///< flush() waits for handled_ to reach this (under mutex_)
    bool stopping_ = false;
    std::atomic<uint64_t> dropped_{0};
    std::atomic<uint64_t> errors_{0};
    std::atomic<uint64_t> lost_{0};
    std::atomic<uint64_t> written_{0};
    uint64_t errors_since_success_ = 0;  ///< for the "writing again" line (writer thread only)
    std::vector<int> logged_codes_;  ///< SQLite primary codes already logged (writer thread only)
    std::thread thread_;
};

}  // namespace nswatch
