// The HTTP server's own counters: connections refused, timed out or pushed out, and responses by
// status, so an attack on the web port shows on the dashboard it tries to blind.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>

#include "exporter/http_connection_table.hpp"

namespace nswatch {

class HttpServerMetrics {
  public:
    HttpServerMetrics();

    /// Serialised at /metrics after the other collectables.
    std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

    void accepted() { accepted_.Increment(); }
    void rejected(HttpConnectionTable::Verdict why);
    void timed_out(HttpConnectionTable::Phase phase);
    void evicted() { evicted_.Increment(); }
    void responded(int status);
    void open_connections(size_t n) { open_.Set(static_cast<double>(n)); }

  private:
    std::shared_ptr<prometheus::Registry> registry_;
    prometheus::Counter& accepted_;
    prometheus::Family<prometheus::Counter>& rejected_;
    prometheus::Family<prometheus::Counter>& timed_out_;
    prometheus::Counter& evicted_;
    prometheus::Family<prometheus::Counter>& responses_;
    prometheus::Gauge& open_;
    std::mutex responses_mutex_;
    std::map<int, prometheus::Counter*> by_status_;
};

}  // namespace nswatch
