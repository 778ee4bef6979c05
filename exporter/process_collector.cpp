#include "exporter/process_collector.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace nswatch {

namespace {

std::string read_file(const char* path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// "btime" of /proc/stat: when the system booted, in seconds since the epoch.
std::optional<double> boot_time() {
    std::istringstream in(read_file("/proc/stat"));
    std::string key;
    double value = 0;
    while (in >> key) {
        if (key == "btime" && in >> value) return value;
        in.ignore(1 << 20, '\n');
    }
    return std::nullopt;
}

std::optional<double> count_fds() {
    DIR* d = opendir("/proc/self/fd");
    if (d == nullptr) return std::nullopt;
    double n = 0;
    while (const dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;  // the descriptor opendir itself holds
}

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
    prometheus::ClientMetric m;
    if (type == prometheus::MetricType::Counter) {
        m.counter.value = value;
    } else {
        m.gauge.value = value;
    }
    return prometheus::MetricFamily{name, help, type, {m}};
}

}  // namespace

ProcessReading parse_proc_stat(const std::string& stat, long ticks_per_second, long page_size,
                               double boot_time_seconds) {
    ProcessReading r;
    // Fields after "(comm)": the command may contain ") ", so cut at the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos || ticks_per_second <= 0) return r;
    std::istringstream in(stat.substr(close + 1));
    std::vector<std::string> f;  // f[0] is field 3 (state)
    for (std::string x; in >> x;) f.push_back(x);
    if (f.size() < 22) return r;
    try {
        const double utime = std::stod(f[11]), stime = std::stod(f[12]);  // fields 14, 15
        r.cpu_seconds = (utime + stime) / static_cast<double>(ticks_per_second);
        const double start_ticks = std::stod(f[19]);  // field 22: after boot, in ticks
        if (boot_time_seconds > 0) {
            r.start_time_seconds =
                boot_time_seconds + start_ticks / static_cast<double>(ticks_per_second);
        }
        r.virtual_bytes = std::stod(f[20]);                                    // field 23
        r.resident_bytes = std::stod(f[21]) * static_cast<double>(page_size);  // field 24
    } catch (const std::exception&) {
        return ProcessReading{};
    }
    return r;
}

ProcessReading read_this_process() {
    ProcessReading r = parse_proc_stat(read_file("/proc/self/stat"), sysconf(_SC_CLK_TCK),
                                       sysconf(_SC_PAGESIZE), boot_time().value_or(0));
    r.open_fds = count_fds();
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
        r.max_fds = static_cast<double>(lim.rlim_cur);
    }
    return r;
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
    using prometheus::MetricType;
    const ProcessReading r = read_this_process();
    std::vector<prometheus::MetricFamily> out;
    auto add = [&](const std::optional<double>& v, const char* name, const char* help,
                   MetricType type) {
        if (v) out.push_back(family(name, help, type, *v));
    };
    add(r.cpu_seconds, "process_cpu_seconds_total",
        "Total user and system CPU time spent in seconds.", MetricType::Counter);
    add(r.open_fds, "process_open_fds", "Number of open file descriptors.", MetricType::Gauge);
    add(r.max_fds, "process_max_fds", "Maximum number of open file descriptors.",
        MetricType::Gauge);
    add(r.virtual_bytes, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
        MetricType::Gauge);
    add(r.resident_bytes, "process_resident_memory_bytes", "Resident memory size in bytes.",
        MetricType::Gauge);
    add(r.start_time_seconds, "process_start_time_seconds",
        "Start time of the process since unix epoch in seconds.", MetricType::Gauge);
    return out;
}

}  // namespace nswatch
