// /metrics for alerting: delivery outcomes (a given-up 4xx stays visible as a counter) and the
// number of firing alerts, read from the Deliverer and AlertEngine at scrape time.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "alerts/alert_engine.hpp"

namespace nswatch {

class AlertMetrics : public prometheus::Collectable {
  public:
    /// Both must outlive this collector's use (the daemon drops the HTTP server first).
    AlertMetrics(const Deliverer& deliverer, const AlertEngine& engine)
        : deliverer_(deliverer), engine_(engine) {}
    std::vector<prometheus::MetricFamily> Collect() const override;

  private:
    const Deliverer& deliverer_;
    const AlertEngine& engine_;
};

}  // namespace nswatch
