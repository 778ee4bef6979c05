// The HTTP side of nswatch: /metrics, /api/v1/status, the status page at /, and the endpoints
// operators expect of a Prometheus component: /-/healthy (the process serves), /-/ready (a probe
// round has finished, so /metrics has data), POST /-/reload (re-read the config, as SIGHUP does);
// /healthz stays as an alias of /-/healthy.
// The sockets are http_event_loop.hpp's (one epoll thread, caps and deadlines, so that slow or
// idle clients cannot take the workers Prometheus needs); this file only routes requests.
#pragma once

#include <prometheus/collectable.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exporter/http_connection_table.hpp"
#include "exporter/web_config.hpp"
#include "monitor/zone_state.hpp"

namespace nswatch {

class HttpEventLoop;
class HttpServerMetrics;
struct HttpReply;
struct ServerRequest;

struct HttpServerOptions {
    /// Addresses to listen on, each "addr:port" or "[v6addr]:port" (listen_address.hpp); port 0
    /// picks one.
    std::vector<std::string> listen{"127.0.0.1:10053"};
    HttpLimits limits;  ///< connection caps and deadlines
    int threads = 4;    ///< workers building responses (they never wait for a client)
    /// Extra top-level sections of /api/v1/status (and tables on the status page), e.g.
    /// "propagation": called on every request, from the server's threads (must be thread-safe).
    /// Each returns an array of flat objects.
    std::vector<std::pair<std::string, std::function<nlohmann::json()>>> status_sections;
    /// POST /-/reload: re-reads the configuration and returns an empty string when it was
    /// applied, else why not. Unset: /-/reload answers 404 (e.g. `nswatch check` has no config).
    /// Called from a server thread.
    std::function<std::string()> reload;
    /// TLS and basic auth (exporter/web_config.hpp); none: plain HTTP, no authentication.
    std::shared_ptr<const WebConfig> web;
};

class HttpServer {
  public:
    /// Starts listening at once; throws std::runtime_error if it cannot (address in use, not an
    /// address, ...). `snapshot` is called on every request (the server keeps nothing);
    /// `collectables` are serialised in order at /metrics (ProbeMetrics::registry(), a
    /// SnapshotCollector, ...), followed by the server's own connection counters.
    HttpServer(const HttpServerOptions& options, std::function<SnapshotPtr()> snapshot,
               std::vector<std::shared_ptr<prometheus::Collectable>> collectables);
    ~HttpServer();  ///< stops and waits for the threads
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// The port actually bound at the first address (the chosen one when asked for port 0).
    uint16_t port() const { return ports_.front(); }
    /// The ports bound, in the order of HttpServerOptions::listen.
    const std::vector<uint16_t>& ports() const { return ports_; }

  private:
    HttpReply handle(const ServerRequest& request) const;
    HttpReply route(const std::string& path) const;

    std::function<SnapshotPtr()> snapshot_;
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
    std::vector<std::pair<std::string, std::function<nlohmann::json()>>> sections_;
    std::function<std::string()> reload_;
    std::unique_ptr<BasicAuth> auth_;  ///< null: no authentication asked
    std::unique_ptr<HttpServerMetrics> metrics_;
    std::unique_ptr<HttpEventLoop> loop_;
    std::vector<uint16_t> ports_;
};

}  // namespace nswatch
