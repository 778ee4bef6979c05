// The process_* metrics every Prometheus exporter serves (the client libraries' "process
// collector"): CPU time, resident and virtual memory, open and maximum file descriptors, start
// time. prometheus-cpp has no such collector, so this one reads Linux's /proc/self on each scrape
// and hands prometheus-cpp the values to serialise.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <optional>
#include <string>
#include <vector>

namespace nswatch {

/// One reading of this process, as the metrics report it; a field the system did not give is
/// nullopt (its metric is then left out rather than reported as 0).
struct ProcessReading {
    std::optional<double> cpu_seconds;         ///< user + system CPU time
    std::optional<double> resident_bytes;      ///< resident set size
    std::optional<double> virtual_bytes;       ///< virtual memory size
    std::optional<double> open_fds;            ///< entries of /proc/self/fd
    std::optional<double> max_fds;             ///< soft RLIMIT_NOFILE
    std::optional<double> start_time_seconds;  ///< since the Unix epoch
};

/// Parse /proc/<pid>/stat (the text after the command name may hold spaces and parentheses)
/// with the clock tick rate, page size and boot time given: pure, for tests.
ProcessReading parse_proc_stat(const std::string& stat, long ticks_per_second, long page_size,
                               double boot_time_seconds);

/// This process now.
ProcessReading read_this_process();

class ProcessCollector : public prometheus::Collectable {
  public:
    std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace nswatch
