// Scrape-time metrics: built from the newest Snapshot at every Collect(), so they show exactly what
// the status API shows and need no updating from the probe loop.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <vector>

#include "monitor/zone_state.hpp"

namespace nswatch {

/// The metric families of one snapshot (the body of SnapshotCollector::Collect).
std::vector<prometheus::MetricFamily> snapshot_families(const Snapshot& s);

class SnapshotCollector : public prometheus::Collectable {
  public:
    /// `snapshot` is called once per scrape; a null result yields no families (nothing probed yet).
    explicit SnapshotCollector(std::function<SnapshotPtr()> snapshot);

    std::vector<prometheus::MetricFamily> Collect() const override;

  private:
    std::function<SnapshotPtr()> snapshot_;
};

}  // namespace nswatch
