// A process writing history batches is SIGKILLed mid-run: the file must pass integrity_check and
// hold every batch committed before the kill, and no part of an uncommitted one.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "storage/history.hpp"
#include "temp_dir.hpp"

using namespace nswatch;
namespace fs = std::filesystem;

namespace {

constexpr int kBatch = 2000;

// The child: writes batch after batch (batch number in reply_size) and reports each commit on fd.
[[noreturn]] void write_forever(const std::string& path, int fd) {
    try {
        HistoryStore store(path);
        std::vector<HistoryRow> rows(kBatch);
        for (uint32_t batch = 0;; ++batch) {
            for (int i = 0; i < kBatch; ++i) {
                HistoryRow& r = rows[static_cast<size_t>(i)];
                r.target.zone = "shop.test";
                r.target.nameserver = "ns" + std::to_string(i % 8) + ".example";
                r.target.address = "192.0.2.1";
                r.target.provider = "example";
                r.target.vantage = "lab";
                r.ts_ms = static_cast<int64_t>(batch) * kBatch + i;
                r.outcome = Outcome::ok;
                r.rcode = 0;
                r.reply_size = batch;
            }
            store.insert_rows(rows);
            if (write(fd, &batch, sizeof batch) != sizeof batch) _exit(3);
        }
    } catch (...) {
        _exit(2);
    }
}
}  // namespace

TEST_CASE("crash: SIGKILL mid-write loses at most the uncommitted batch", "[storage][crash]") {
    test::TempDir dir("nswatch-crash");
    const std::string path = dir.file("h.db");
    { HistoryStore create(path); }  // schema in place before the child starts
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        close(fds[0]);
        write_forever(path, fds[1]);
    }
    close(fds[1]);
    // Let it commit a few dozen batches, then kill it without warning, mid-batch or not.
    uint32_t last = 0;
    int reported = 0;
    while (reported < 30) {
        uint32_t batch = 0;
        REQUIRE(read(fds[0], &batch, sizeof batch) == sizeof batch);
        last = batch;
        ++reported;
    }
    kill(child, SIGKILL);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    // Batches committed after our last read are still in the pipe: read them too.
    uint32_t batch = 0;
    while (read(fds[0], &batch, sizeof batch) == sizeof batch) last = batch;
    close(fds[0]);

    HistoryStore store(path);  // recovers from the WAL left behind
    CHECK(store.integrity_check() == "ok");
    Database& db = store.database();
    const int64_t rows = db.query_int("SELECT count(*) FROM probes").value_or(0);
    const int64_t batches =
        db.query_int("SELECT count(DISTINCT reply_size) FROM probes").value_or(0);
    INFO("last reported batch " << last << ", rows " << rows);
    CHECK(rows % kBatch == 0);  // whole batches only
    CHECK(db.query_int("SELECT max(reply_size) FROM probes") >= static_cast<int64_t>(last));
    CHECK(batches == rows / kBatch);
    // Every reported batch is there; at most one more (committed, killed before it reported).
    CHECK(batches >= static_cast<int64_t>(last) + 1);
    CHECK(batches <= static_cast<int64_t>(last) + 2);
    CHECK(db.query_int("SELECT count(*) FROM probes WHERE reply_size <= " + std::to_string(last)) ==
          (static_cast<int64_t>(last) + 1) * kBatch);
}
