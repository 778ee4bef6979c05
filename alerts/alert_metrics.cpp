#include "alerts/alert_metrics.hpp"

namespace nswatch {

std::vector<prometheus::MetricFamily> AlertMetrics::Collect() const {
    prometheus::MetricFamily notifications{
        "nswatch_alert_notifications_total",
        "Notification delivery attempts by result: delivered, retried (time-out, 5xx), given_up "
        "(4xx or too old; see `nswatch alerts`).",
        prometheus::MetricType::Counter,
        {}};
    const auto& c = deliverer_.counters();
    for (const auto& [result, value] :
         {std::pair{"delivered", c.delivered.load()}, std::pair{"retried", c.retried.load()},
          std::pair{"given_up", c.given_up.load()}}) {
        prometheus::ClientMetric m;
        m.label.push_back({"result", result});
        m.counter.value = static_cast<double>(value);
        notifications.metric.push_back(std::move(m));
    }
    prometheus::MetricFamily firing{"nswatch_alerts_firing",
                                    "Alerts firing in nswatch's built-in alerting.",
                                    prometheus::MetricType::Gauge,
                                    {}};
    prometheus::ClientMetric f;
    f.gauge.value = static_cast<double>(engine_.firing_count());
    firing.metric.push_back(std::move(f));
    return {std::move(notifications), std::move(firing)};
}

}  // namespace nswatch
