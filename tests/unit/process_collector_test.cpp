// exporter/process_collector: the process_* metrics, parsed from /proc and checked against what
// the kernel says through other means (getrusage, getrlimit, the fd table).
#include "exporter/process_collector.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <ctime>

using namespace nswatch;

TEST_CASE("process collector: /proc/PID/stat parsed, with a command name that holds ') '") {
    // Fields from a real /proc/self/stat, the command name made hostile.
    const std::string stat =
        "4242 (evil) (name) S 1 4242 4242 0 -1 4194560 1207 0 0 0 150 50 0 0 20 0 3 0 500 "
        "123456789 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
    const ProcessReading r = parse_proc_stat(stat, 100, 4096, 1.7e9);
    REQUIRE(r.cpu_seconds);
    CHECK(*r.cpu_seconds == Approx(2.0));  // (150 + 50) ticks at 100 Hz
    CHECK(*r.virtual_bytes == 123456789);
    CHECK(*r.resident_bytes == 2048.0 * 4096);
    CHECK(*r.start_time_seconds == Approx(1.7e9 + 5.0));  // 500 ticks after boot
    CHECK_FALSE(parse_proc_stat("garbage", 100, 4096, 0).cpu_seconds);
    CHECK_FALSE(parse_proc_stat("1 (x) S 1 2", 100, 4096, 0).cpu_seconds);
}

TEST_CASE("process collector: this process, against the kernel's other answers") {
    const int before = static_cast<int>(*read_this_process().open_fds);
    const int fd = open("/dev/null", O_RDONLY);
    REQUIRE(fd >= 0);
    const ProcessReading r = read_this_process();
    close(fd);
    CHECK(static_cast<int>(*r.open_fds) == before + 1);
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    CHECK(*r.max_fds == static_cast<double>(lim.rlim_cur));
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                       ru.ru_stime.tv_usec / 1e6;
    CHECK(*r.cpu_seconds == Approx(cpu).margin(0.05));  // ticks are 10 ms
    CHECK(*r.resident_bytes > 1e6);
    const double now = static_cast<double>(std::time(nullptr));
    CHECK(*r.start_time_seconds <= now + 1);
    CHECK(*r.start_time_seconds > now - 24 * 3600.0);  // a test process is not a day old

    const auto families = ProcessCollector().Collect();
    std::vector<std::string> names;
    for (const auto& f : families) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"process_cpu_seconds_total", "process_open_fds",
                                            "process_max_fds", "process_virtual_memory_bytes",
                                            "process_resident_memory_bytes",
                                            "process_start_time_seconds"});
}
