#include "daemon/history_collector.hpp"

namespace nswatch {

namespace {
prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
    prometheus::MetricFamily f;
    f.name = name;
    f.help = help;
    f.type = type;
    prometheus::ClientMetric m;
    if (type == prometheus::MetricType::Counter) {
        m.counter.value = value;
    } else {
        m.gauge.value = value;
    }
    f.metric.push_back(m);
    return f;
}
}  // namespace

std::vector<prometheus::MetricFamily> HistoryCollector::Collect() const {
    using prometheus::MetricType;
    return {
        family("nswatch_history_written_total", "Probe results committed to the history database.",
               MetricType::Counter, static_cast<double>(writer_.written())),
        family("nswatch_history_dropped_total",
               "Probe results refused because the history queue was full.", MetricType::Counter,
               static_cast<double>(writer_.dropped())),
        family("nswatch_history_errors_total",
               "Failed history database operations (locked, full, I/O error; retries count).",
               MetricType::Counter, static_cast<double>(writer_.errors())),
        family("nswatch_history_lost_total", "Probe results discarded after a database error.",
               MetricType::Counter, static_cast<double>(writer_.lost())),
        family("nswatch_history_queue_length", "Probe results waiting to be written.",
               MetricType::Gauge, static_cast<double>(writer_.queued())),
    };
}

}  // namespace nswatch
