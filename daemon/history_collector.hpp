// The history writer's own counters as Prometheus metrics: a database that is locked, full or
// damaged shows up in a metric (and a log line from the writer) while probing goes on.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "storage/writer.hpp"

namespace nswatch {

class HistoryCollector : public prometheus::Collectable {
  public:
    explicit HistoryCollector(const HistoryWriter& writer) : writer_(writer) {}
    std::vector<prometheus::MetricFamily> Collect() const override;

  private:
    const HistoryWriter& writer_;
};

}  // namespace nswatch
