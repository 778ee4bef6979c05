#include "exporter/http_server_metrics.hpp"

#include <string>

namespace nswatch {

HttpServerMetrics::HttpServerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      accepted_(prometheus::BuildCounter()
                    .Name("nswatch_http_connections_accepted_total")
                    .Help("HTTP connections accepted (before the per-client and total caps).")
                    .Register(*registry_)
                    .Add({})),
      rejected_(prometheus::BuildCounter()
                    .Name("nswatch_http_connections_rejected_total")
                    .Help("HTTP connections closed at once because a cap was reached, by cap.")
                    .Register(*registry_)),
      timed_out_(prometheus::BuildCounter()
                     .Name("nswatch_http_connections_timed_out_total")
                     .Help("HTTP connections closed because a deadline passed, by phase.")
                     .Register(*registry_)),
      evicted_(prometheus::BuildCounter()
                   .Name("nswatch_http_connections_evicted_total")
                   .Help("Waiting HTTP connections closed to make room for a new one.")
                   .Register(*registry_)
                   .Add({})),
      responses_(prometheus::BuildCounter()
                     .Name("nswatch_http_responses_total")
                     .Help("HTTP responses sent, by status code.")
                     .Register(*registry_)),
      open_(prometheus::BuildGauge()
                .Name("nswatch_http_connections_open")
                .Help("HTTP connections open now.")
                .Register(*registry_)
                .Add({})) {
    // Every reason and phase from the start, so a rate() has a zero to start from.
    rejected_.Add({{"reason", "per_client_limit"}});
    rejected_.Add({{"reason", "total_limit"}});
    timed_out_.Add({{"phase", "request_header"}});
    timed_out_.Add({{"phase", "keepalive_idle"}});
    timed_out_.Add({{"phase", "response_write"}});
}

void HttpServerMetrics::rejected(HttpConnectionTable::Verdict why) {
    using V = HttpConnectionTable::Verdict;
    if (why == V::accept) return;
    rejected_.Add({{"reason", why == V::reject_client_limit ? "per_client_limit" : "total_limit"}})
        .Increment();
}

void HttpServerMetrics::timed_out(HttpConnectionTable::Phase phase) {
    using P = HttpConnectionTable::Phase;
    const char* name = phase == P::idle      ? "keepalive_idle"
                       : phase == P::writing ? "response_write"
                                             : "request_header";
    timed_out_.Add({{"phase", name}}).Increment();
}

void HttpServerMetrics::responded(int status) {
    std::lock_guard lock(responses_mutex_);
    prometheus::Counter*& c = by_status_[status];
    if (c == nullptr) c = &responses_.Add({{"code", std::to_string(status)}});
    c->Increment();
}

}  // namespace nswatch
