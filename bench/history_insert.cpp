// nswatch_bench_history_insert: HistoryStore::insert_batch rate. ROWS synthetic SOA ProbeResults
// (default 1,000,000) over TARGETS targets (4,000 = 1,000 zones x 4 addresses, UDP), in batches of
// BATCH (5,000, the HistoryWriter's default batch_size), into a fresh database file. Prints rows/s
// over the whole run (each insert_batch is one transaction, as in the daemon), the slowest batch
// and one JSON line. Target (issue 3): > 200,000 rows/s.
//
//   nswatch_bench_history_insert [--db FILE] [--rows N] [--targets N] [--batch N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "storage/history.hpp"

using namespace nswatch;

int main(int argc, char** argv) {
    std::string db = "/tmp/nswatch-bench-insert.db";
    size_t rows = 1'000'000, targets = 4'000, batch = 5'000;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--db")
            db = argv[i + 1];
        else if (a == "--rows")
            rows = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--targets")
            targets = std::strtoull(argv[i + 1], nullptr, 10);
        else if (a == "--batch")
            batch = std::strtoull(argv[i + 1], nullptr, 10);
        else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);

    std::vector<Target> tgts(targets);
    for (size_t i = 0; i < targets; ++i) {
        Target& t = tgts[i];
        char buf[64];
        std::snprintf(buf, sizeof buf, "z%06zu.bench.test", i / 4);
        t.zone = buf;
        std::snprintf(buf, sizeof buf, "ns%zu.p%zu.bench.test", i % 4 + 1, i % 4 + 1);
        t.nameserver = buf;
        std::snprintf(buf, sizeof buf, "127.54.0.%zu", i % 4 + 1);
        t.address = buf;
        t.provider = "p" + std::to_string(i % 4 + 1);
        t.vantage = "default";
    }
    // Build every batch before timing: the clock measures the store only.
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> rtt_us(std::log(800.0), 0.5);
    const auto start_wall = std::chrono::system_clock::now() - std::chrono::hours(1);
    std::vector<std::vector<ProbeResult>> batches;
    for (size_t done = 0; done < rows;) {
        std::vector<ProbeResult> b;
        const size_t n = std::min(batch, rows - done);
        b.reserve(n);
        for (size_t k = 0; k < n; ++k, ++done) {
            ProbeResult r;
            r.target = tgts[done % targets];
            r.sent_wall =
                start_wall + std::chrono::milliseconds(done * 15);  // 4,000 targets per minute
            r.rtt = std::chrono::microseconds(static_cast<int64_t>(rtt_us(rng)));
            const bool fail = rng() % 200 == 0;
            r.outcome = fail ? Outcome::timeout : Outcome::ok;
            if (!fail) {
                r.rcode = 0;
                r.aa = true;
                r.soa = SoaFields{"ns1.bench.test.",
                                  "hostmaster.bench.test.",
                                  2024010101,
                                  3600,
                                  900,
                                  604800,
                                  300,
                                  3600};
                r.reply_size = 120;
            }
            b.push_back(std::move(r));
        }
        batches.push_back(std::move(b));
    }

    HistoryStore store(db);
    double slowest = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& b : batches) {
        const auto b0 = std::chrono::steady_clock::now();
        store.insert_batch(b);
        slowest = std::max(
            slowest, std::chrono::duration<double>(std::chrono::steady_clock::now() - b0).count());
    }
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rate = rows / el;
    std::printf(
        "inserted %zu rows over %zu targets in %zu batches of %zu: %.2f s, %.0f rows/s (target > "
        "200000), slowest batch %.1f ms\n",
        rows, targets, batches.size(), batch, el, rate, slowest * 1e3);
    std::printf(
        "{\"bench\":\"history_insert\",\"rows\":%zu,\"targets\":%zu,\"batch\":%zu,\"seconds\":%.3f,"
        "\"rows_per_s\":%.0f,\"slowest_batch_ms\":%.1f}\n",
        rows, targets, batch, el, rate, slowest * 1e3);
    return 0;
}
