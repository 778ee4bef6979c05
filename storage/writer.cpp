#include "storage/writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace nswatch {

namespace {
// Another process (a `status` run, sqlite3) holding the write lock gets this long in total, in
// doubling steps, beyond SQLite's own busy_timeout, before the batch is given up.
constexpr std::chrono::milliseconds kFirstBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
constexpr int kMaxBusyRetries = 8;

bool is_busy(int primary) {
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}
}  // namespace

HistoryWriter::HistoryWriter(std::unique_ptr<HistoryStore> store, WriterSettings settings)
    : store_(std::move(store)), settings_(std::move(settings)) {
    thread_ = std::thread([this] { run(); });
}

HistoryWriter::~HistoryWriter() {
    stop();
}

bool HistoryWriter::submit(const ProbeResult& r) {
    return enqueue(HistoryRow::from(r));
}

bool HistoryWriter::submit(ProbeResult&& r) {
    return enqueue(HistoryRow::from(std::move(r)));
}

bool HistoryWriter::enqueue(HistoryRow row) {
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= settings_.capacity) {
            dropped_.fetch_add(1);
            return false;
        }
        queue_.push_back(std::move(row));
        ++enqueued_;
        wake = queue_.size() >= settings_.batch_size;
    }
    // Only a full batch needs the writer now; otherwise its timer picks the results up.
    if (wake) wake_.notify_one();
    return true;
}

size_t HistoryWriter::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

void HistoryWriter::flush() {
    std::unique_lock lock(mutex_);
    const uint64_t target = enqueued_;
    flush_until_ = std::max(flush_until_, target);
    wake_.notify_one();
    progress_.wait(lock, [&] { return handled_ >= target; });
}

void HistoryWriter::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void HistoryWriter::run() {
    using clock = std::chrono::steady_clock;
    auto next_maintenance = clock::now() + settings_.maintenance_interval;
    std::vector<HistoryRow> batch;
    for (;;) {
        bool stopping = false;
        {
            std::unique_lock lock(mutex_);
            const auto deadline = clock::now() + settings_.batch_interval;
            wake_.wait_until(lock, std::min(deadline, next_maintenance), [&] {
                return stopping_ || handled_ < flush_until_ ||
                       queue_.size() >= settings_.batch_size;
            });
            stopping = stopping_;
            const size_t n = std::min(queue_.size(), settings_.batch_size);
            batch.assign(std::make_move_iterator(queue_.begin()),
                         std::make_move_iterator(queue_.begin() + static_cast<long>(n)));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(n));
        }
        if (!batch.empty()) write(batch);
        {
            std::lock_guard lock(mutex_);
            handled_ += batch.size();
            batch.clear();
            // A flush, a stop or a burst with more than one batch waiting goes round at once: the
            // wait predicate above is already true.
            if (stopping && queue_.empty()) {
                progress_.notify_all();
                return;
            }
        }
        progress_.notify_all();
        if (!stopping && clock::now() >= next_maintenance) {
            maintain();
            next_maintenance = clock::now() + settings_.maintenance_interval;
        }
    }
}

void HistoryWriter::write(std::vector<HistoryRow>& batch) {
    auto backoff = kFirstBackoff;
    for (int attempt = 0;; ++attempt) {
        try {
            store_->insert_rows(batch);
            written_.fetch_add(batch.size());
            if (errors_since_success_ > 0) {
                spdlog::info("history: writing again after {} failed attempts",
                             errors_since_success_);
                errors_since_success_ = 0;
            }
            return;
        } catch (const StorageError& e) {
            note_error("writing a batch", e.primary_code(), e.what());
            if (!is_busy(e.primary_code()) || attempt >= kMaxBusyRetries) break;
            std::this_thread::sleep_for(backoff);
            backoff = std::min(backoff * 2, kMaxBackoff);
        }
    }
    // Full disk, I/O error, damaged file, or locked for too long: the batch is lost, probing goes
    // on.
    lost_.fetch_add(batch.size());
}

void HistoryWriter::maintain() {
    try {
        const auto now = settings_.now();
        store_->rollup(now);
        store_->apply_retention(now, settings_.retention);
    } catch (const StorageError& e) {
        note_error("rollup/retention", e.primary_code(), e.what());
    }
}

void HistoryWriter::note_error(const char* doing, int sqlite_code, const std::string& message) {
    errors_.fetch_add(1);
    ++errors_since_success_;
    // Once per kind: a full disk would otherwise write the same line every second.
    if (std::find(logged_codes_.begin(), logged_codes_.end(), sqlite_code) != logged_codes_.end()) {
        return;
    }
    logged_codes_.push_back(sqlite_code);
    spdlog::error("history: {} failed: {} (further errors of this kind are counted, not logged)",
                  doing, message);
}

}  // namespace nswatch
