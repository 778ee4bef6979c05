// Alert state, silences and the notification outbox in SQLite: a restart neither re-pages (the
// firing alerts and whether they were notified are stored) nor forgets (a notice is committed to
// the outbox, in the same transaction as the state change, before delivery is tried). Its own
// file (alerts.state_path), so it never contends with the history writer. Each thread opens its
// own AlertStore; WAL and a busy time-out let the daemon and `nswatch silence` share the file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alerts/lifecycle.hpp"
#include "storage/sqlite.hpp"

namespace nswatch {

/// A notification to write: one channel, one payload.
struct OutboxItem {
    std::string channel;  ///< channel name
    std::string payload;  ///< alerts/notification.hpp JSON
};

/// A stored outbox row.
struct OutboxRow {
    int64_t id = 0;
    std::string channel;
    std::string payload;
    WallTime created{};
    int attempts = 0;
    WallTime next_attempt{};
};

/// Outbox totals, for `status` and metrics.
struct OutboxCounts {
    int64_t pending = 0;     ///< not yet delivered nor given up
    int64_t delivered = 0;   ///< delivered
    int64_t given_up = 0;    ///< final failure (4xx, or too old)
    std::string last_error;  ///< the newest failure of a pending or given-up row ("" if none)
};

/// Per zone, when each serial in flight was first seen: the lag clock of serial_lag, kept so a
/// restart neither restarts a lag at 0 s nor resolves an alert that still holds.
using SerialMemory = std::map<std::string, std::map<uint32_t, WallTime>>;

class AlertStore {
  public:
    /// Opens (creating) the file and its tables. Throws StorageError.
    explicit AlertStore(const std::string& path);

    std::vector<Alert> load_alerts();
    SerialMemory load_serial_memory();
    /// One transaction: the alert state becomes `alerts`, `items` join the outbox, and the
    /// zones named in `serial_changes` get those first-seen times (an empty map removes a zone).
    void commit(const std::map<std::string, Alert>& alerts, const std::vector<OutboxItem>& items,
                WallTime now, const SerialMemory& serial_changes = {});

    /// Rows neither delivered nor given up, oldest first (due or not: the caller keeps each
    /// channel in order, so a resolve never overtakes its trigger).
    std::vector<OutboxRow> pending(size_t limit);
    /// pending() for one channel's rows only.
    std::vector<OutboxRow> pending_for(const std::string& channel, size_t limit);
    /// The channels that have pending rows.
    std::vector<std::string> pending_channels();
    void mark_delivered(int64_t id, WallTime now);
    void mark_retry(int64_t id, int attempts, WallTime next, const std::string& error);
    void mark_given_up(int64_t id, WallTime now, const std::string& error);
    OutboxCounts counts();
    /// The earliest next_attempt of a pending row.
    std::optional<WallTime> next_due();
    /// next_due() for one channel's rows only.
    std::optional<WallTime> next_due_for(const std::string& channel);

    /// Returns the new silence's id.
    int64_t add_silence(const Silence& s);
    /// Silences not expired at `now` (all of them when `include_expired`).
    std::vector<Silence> silences(WallTime now, bool include_expired = false);
    bool remove_silence(int64_t id);

  private:
    Database db_;
};

}  // namespace nswatch
